/* cell-init has no Swift in it, but SwiftPM links every executable through swiftc, which adds
   swiftrt.o: its constructor registers the image's Swift metadata with the runtime, and those
   two references alone would bring the whole static Swift runtime along (9 MB, and its start-up
   work at each of the execs every container process goes through). With nothing to register,
   these stand in for the runtime's two entry points and the runtime stays out of the binary. */
void swift_addNewDSOImage(const void *header) { (void)header; }
int _swift_backtrace_isThunkFunction(const char *name) { (void)name; return 0; }
