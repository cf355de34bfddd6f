//! `cargo xtask servers [prosody|ejabberd]`: a private server for manual testing, until Enter.

use openxmpp_testkit::{ServerKind, TestServer, install};

use crate::{TaskResult, packages};

pub(crate) fn run(args: &[String]) -> TaskResult {
    let kinds: Vec<ServerKind> = match args.first().map(String::as_str) {
        None => ServerKind::ALL.to_vec(),
        Some("prosody") => vec![ServerKind::Prosody],
        Some("ejabberd") => vec![ServerKind::Ejabberd],
        Some(other) => return Err(format!("unknown server {other:?}: prosody or ejabberd").into()),
    };
    packages::ensure(install::DEBIAN_PACKAGES)?;
    let mut running = Vec::new();
    for kind in kinds {
        let server = TestServer::start(kind)?;
        let account = server.new_account("user")?;
        println!(
            "{kind}: up in {:.2?}; STARTTLS {}, Direct TLS {}; CA {}\n  account {} password {}",
            server.startup_time(),
            server.starttls_addr(),
            server.direct_tls_addr(),
            server.ca_cert_path().display(),
            account.jid,
            account.password,
        );
        running.push(server);
    }
    println!("press Enter to stop");
    std::io::stdin().read_line(&mut String::new())?;
    Ok(())
}
