//! Every target over its seed corpus (`seeds/<target>/`): the stable smoke run of the fuzz
//! targets. Inputs that once made a target fail are kept among the seeds.

use std::path::PathBuf;

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    files
        .into_iter()
        .map(|path| {
            let data = std::fs::read(&path).unwrap();
            (path, data)
        })
        .collect()
}

fn run(target: &str, body: fn(&[u8])) {
    for (path, data) in seeds(target) {
        let outcome = std::panic::catch_unwind(|| body(&data));
        assert!(outcome.is_ok(), "{target}: {} fails", path.display());
    }
}

#[test]
fn stream_parser_seeds() {
    run("stream_parser", crate::stream_parser);
}

#[test]
fn jid_seeds() {
    run("jid", crate::jid);
}

#[test]
fn stanza_seeds() {
    run("stanza", crate::stanza);
}

#[test]
fn sasl_seeds() {
    run("sasl", crate::sasl);
}

#[test]
fn connection_seeds() {
    run("connection", crate::connection);
}

#[test]
fn chunking_prefix() {
    assert_eq!(crate::split_chunks(b""), (vec![1], 0, &b""[..]));
    assert_eq!(crate::split_chunks(b"\x00<a/>"), (vec![1], 0, &b"<a/>"[..]));
    assert_eq!(
        crate::split_chunks(b"\x1a\x03\x09<a/>"),
        (vec![4, 10], 24, &b"<a/>"[..])
    );
}

/// The seeds reach deep: sessions come online, SASL exchanges succeed.
#[test]
fn seeds_reach_the_end_of_the_exchanges() {
    let online = seeds("connection")
        .iter()
        .filter(|(_, data)| crate::run_connection(data))
        .count();
    assert!(online >= 10, "only {online} connection seeds come online");
    let succeeded = seeds("sasl")
        .iter()
        .filter(|(_, data)| crate::run_sasl(data))
        .count();
    assert!(succeeded >= 5, "only {succeeded} SASL seeds succeed");
}
