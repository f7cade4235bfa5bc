"""luaform's local AWS emulator (Python 3 standard library only).

core: errors, context, Service base, Emulator; sigv4: signature checks;
wire: protocols; faults: fault injection; admin: /_emulator/ endpoints;
services/: one module per AWS service.
"""
