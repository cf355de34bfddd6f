//! The real `openxmpp-console` binary against private Prosody and ejabberd servers (one of
//! each for the whole test binary): scripted mode with `--json`, exit statuses, a
//! conversation with slixmpp, and the interactive mode through a pseudo-terminal.

mod account;
mod common;
mod exit_codes;
mod faults;
mod interactive;
mod peer;
mod scripted;
