"""The numpy core: everything the debugger shows, computable headless. Never imports Qt."""
