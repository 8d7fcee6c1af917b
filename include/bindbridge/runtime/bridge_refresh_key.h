// include/bindbridge/runtime/bridge_refresh_key.h: where bindbridge.bridge() leaves the callable a miss asks for new types.
//
// Python.h-free and dependency-free: bindbridge._diag (src/diag.cpp, built
// for the stable ABI) writes the key, runtime.h's bridge_refresh reads it.
#ifndef BINDBRIDGE_RUNTIME_BRIDGE_REFRESH_KEY_H
#define BINDBRIDGE_RUNTIME_BRIDGE_REFRESH_KEY_H

// In the registry's dict (the interpreter's): a callable taking no
// arguments that attaches the bridges again and returns whether it
// published anything new.  Absent until bridge() was first called.
#define BINDBRIDGE_BRIDGE_REFRESH_KEY "__bindbridge_bridge_refresh"

#endif // BINDBRIDGE_RUNTIME_BRIDGE_REFRESH_KEY_H
