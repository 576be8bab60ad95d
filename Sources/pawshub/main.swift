// Placeholder entry point; the command line (swift-argument-parser) lands with the proxy and hub.
print("pawshub 0.1.0")
