#ifndef CELL_RUNTIME_H
#define CELL_RUNTIME_H
/* The fork->exec path of a container lives here, in C: after clone() only async-signal-safe
   calls are allowed, which Swift cannot promise. Filled in by the runtime work. */
int cell_runtime_placeholder(void);
#endif
