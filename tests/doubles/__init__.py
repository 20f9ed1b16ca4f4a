"""Local servers that speak outside services' protocols over real sockets (ARCHITECTURE.md rule 5)."""
