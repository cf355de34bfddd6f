//! Signing in: the client's configuration from the command line.

use openxmpp::im::session::Modules;
use openxmpp::im::version::SoftwareVersion;
use openxmpp::{Client, ClientBuilder, ReconnectPolicy, Security};

use crate::args::{Args, TlsArg};
use crate::password::Password;

/// The builder for the account on the command line. Interactive sessions reconnect after a
/// lost connection; a script stops instead, with the exit status saying why.
pub(crate) fn builder(args: &Args, password: &Password, interactive: bool) -> ClientBuilder {
    let mut builder = Client::builder(args.jid.clone(), password.expose())
        .security(security(args.tls))
        .modules(Modules {
            version: Some(SoftwareVersion::new(
                "openxmpp-console",
                env!("CARGO_PKG_VERSION"),
            )),
            ..Modules::default()
        })
        .reconnect(if interactive {
            ReconnectPolicy::default()
        } else {
            ReconnectPolicy::disabled()
        });
    if let Some((host, port)) = &args.server {
        builder = builder.server(host.clone(), *port);
    }
    for ca in &args.ca {
        builder = builder.add_ca_file(ca.clone());
    }
    if let Some(seconds) = args.keepalive {
        let seconds = std::time::Duration::from_secs(seconds);
        builder = builder.keepalive(Some(seconds), seconds);
    }
    if let Some(resource) = &args.resource {
        builder = builder.resource(resource.clone());
    }
    builder
}

/// The library's security setting for `--tls`.
pub(crate) fn security(tls: TlsArg) -> Security {
    match tls {
        TlsArg::Starttls => Security::StartTls,
        TlsArg::Direct => Security::DirectTls,
        TlsArg::PlaintextInsecure => Security::PlaintextInsecureForLocalTestingOnly,
    }
}
