//! Interactive mode through a pseudo-terminal.
