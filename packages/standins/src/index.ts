/**
 * Stand-ins for the services cooperbench talks to, for this repository's own tests.
 *
 * This package is private: nothing in it ships. Each stand-in lives under its own subpath
 * (`@cooperbench/standins/<service>`) and says "no" the way the real service does, with shapes
 * taken from the provider's SDK sources or from recorded answers of the real service.
 */
export {}
