#include "cell_runtime.h"
int cell_runtime_placeholder(void) { return 0; }
