//! In-band registration (XEP-0077) against real Prosody and ejabberd: the form each server
//! asks to fill in, registering and then signing in, refusals (a taken username, a missing
//! password), changing the password and deleting the account once signed in, and the blocking
//! API.
//!
//! Where the servers differ, each test asserts what each really does:
//! - Prosody advertises registration on the secured stream and sends the legacy fields with a
//!   data form; ejabberd 23.01 advertises it too but sends the legacy fields only.
//! - A submission without a password: Prosody answers `not-acceptable` ("Password: Required
//!   value missing"), ejabberd `bad-request` (its handler needs both fields to match).

use std::sync::atomic::{AtomicU32, Ordering};

use openxmpp::core::sasl::FailureCondition;
use openxmpp::im::data_form::{DataForm, FieldType};
use openxmpp::im::register::RegisterField;
use openxmpp::{
    AuthError, ClientBuilder, ConnectionError, Error, RegisterQuery, Registration,
    RegistrationError, Security,
};
use openxmpp_testkit::{ServerKind, TestServer, shared};

fn server(kind: ServerKind) -> &'static TestServer {
    shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"))
}

/// A username no test has used on this run's servers.
fn fresh_username(prefix: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A builder for `jid` with `password` on `server`, trusting its test CA.
fn builder_for(
    server: &TestServer,
    jid: &str,
    password: &str,
    security: Security,
) -> ClientBuilder {
    let addr = match security {
        Security::DirectTls => server.direct_tls_addr(),
        _ => server.starttls_addr(),
    };
    openxmpp::Client::builder(jid, password)
        .server(addr.ip().to_string(), addr.port())
        .security(security)
        .add_ca_file(server.ca_cert_path())
}

/// A registration builder for the server's domain.
fn registration_builder(server: &TestServer, security: Security) -> ClientBuilder {
    builder_for(server, server.domain(), "", security)
}

/// Signs in as `user` with `password` and closes again; the error if refused.
async fn sign_in(server: &TestServer, user: &str, password: &str) -> Result<(), Error> {
    let jid = format!("{user}@{}", server.domain());
    let (client, _events) = builder_for(server, &jid, password, Security::StartTls)
        .connect()
        .await?;
    assert_eq!(client.jid().to_bare().as_str(), jid);
    client.close().await
}

/// What the server refused, from an [`Error::Registration`].
fn refusal(err: &Error) -> &RegistrationError {
    match err {
        Error::Registration(refusal) => refusal,
        other => panic!("expected a registration refusal, got {other:?}"),
    }
}

fn assert_not_authorized(result: Result<(), Error>, context: &str) {
    match result {
        Err(Error::Connection(ConnectionError::Auth(AuthError::Refused { failure, .. }))) => {
            assert_eq!(
                failure.condition,
                FailureCondition::NotAuthorized,
                "{context}"
            );
        }
        other => panic!("{context}: expected not-authorized, got {other:?}"),
    }
}

// ----- the form ------------------------------------------------------------------------------

async fn form_is_fetched(kind: ServerKind) {
    let server = server(kind);
    for security in [Security::StartTls, Security::DirectTls] {
        let registration = registration_builder(server, security)
            .start_registration()
            .await
            .unwrap_or_else(|e| panic!("{kind} {security:?}: {e}"));
        assert_eq!(registration.domain(), server.domain());
        assert!(
            registration.features().registration,
            "{kind}: registration is advertised on the secured stream"
        );
        let form = registration.form();
        assert!(!form.registered);
        assert!(
            form.instructions
                .as_deref()
                .is_some_and(|i| i.to_lowercase().contains("username")),
            "{kind}: {form:?}"
        );
        let fields: Vec<RegisterField> = form.field_names().collect();
        assert!(
            fields.contains(&RegisterField::Username) && fields.contains(&RegisterField::Password),
            "{kind}: {fields:?}"
        );
        match kind {
            ServerKind::Prosody => {
                let data = form.form.as_ref().expect("Prosody sends a data form");
                assert_eq!(data.form_type(), Some(openxmpp::im::register::NS));
                let username = data.field("username").expect("a username field");
                assert!(username.required);
                let password = data.field("password").expect("a password field");
                assert_eq!(password.kind, FieldType::TextPrivate);
                assert!(password.required);
            }
            ServerKind::Ejabberd => assert!(form.form.is_none(), "{form:?}"),
        }
        registration.close().await.unwrap();
    }
}

#[tokio::test]
async fn prosody_form_is_fetched() {
    form_is_fetched(ServerKind::Prosody).await;
}

#[tokio::test]
async fn ejabberd_form_is_fetched() {
    form_is_fetched(ServerKind::Ejabberd).await;
}

// ----- registering ---------------------------------------------------------------------------

async fn register_then_sign_in(kind: ServerKind) {
    let server = server(kind);
    for security in [Security::StartTls, Security::DirectTls] {
        let user = fresh_username("newbie");
        let password = format!("{user}-secret");
        // The builder may name the account to be: only its domain is used.
        let account = format!("{user}@{}", server.domain());
        let mut registration = builder_for(server, &account, &password, security)
            .start_registration()
            .await
            .unwrap();
        registration
            .submit(user.as_str(), password.as_str())
            .await
            .unwrap_or_else(|e| panic!("{kind} {security:?}: {e}"));
        assert!(
            !format!("{registration:?}").contains(&password),
            "no password in Debug"
        );
        registration.close().await.unwrap();
        sign_in(server, &user, &password)
            .await
            .unwrap_or_else(|e| panic!("{kind} {security:?}: sign in as {user}: {e}"));
    }
}

#[tokio::test]
async fn prosody_register_then_sign_in() {
    register_then_sign_in(ServerKind::Prosody).await;
}

#[tokio::test]
async fn ejabberd_register_then_sign_in() {
    register_then_sign_in(ServerKind::Ejabberd).await;
}

#[tokio::test]
async fn prosody_register_with_its_data_form() {
    let server = server(ServerKind::Prosody);
    let user = fresh_username("former");
    let mut registration = registration_builder(server, Security::StartTls)
        .start_registration()
        .await
        .unwrap();
    let form = registration.form().form.clone().unwrap();
    let submission = DataForm::submit_from(
        &form,
        [("username", [user.as_str()]), ("password", ["by-form"])],
    );
    assert_eq!(form.validate_submission(&submission), Ok(()));
    registration.submit_form(submission).await.unwrap();
    registration.close().await.unwrap();
    sign_in(server, &user, "by-form").await.unwrap();
}

async fn taken_username_is_refused(kind: ServerKind) {
    let server = server(kind);
    let user = fresh_username("taken");
    let mut registration = registration_builder(server, Security::StartTls)
        .start_registration()
        .await
        .unwrap();
    registration.submit(user.as_str(), "first").await.unwrap();
    // Again on the same stream, and then on a new one: refused, and the stream stays usable.
    let err = registration
        .submit(user.as_str(), "second")
        .await
        .unwrap_err();
    assert!(
        matches!(refusal(&err), RegistrationError::UsernameTaken(_)),
        "{kind}: {err:?}"
    );
    assert!(err.to_string().contains("already taken"), "{err}");
    let other = fresh_username("other");
    registration.submit(other.as_str(), "fine").await.unwrap();
    registration.close().await.unwrap();

    let existing = server.new_account("existing").unwrap();
    let mut registration = registration_builder(server, Security::DirectTls)
        .start_registration()
        .await
        .unwrap();
    let err = registration
        .submit(existing.user.as_str(), "mine now")
        .await
        .unwrap_err();
    assert!(
        matches!(refusal(&err), RegistrationError::UsernameTaken(_)),
        "{kind}: {err:?}"
    );
    registration.close().await.unwrap();
    // Neither refused attempt changed the first password.
    sign_in(server, &user, "first").await.unwrap();
    sign_in(server, &existing.user, &existing.password)
        .await
        .unwrap();
}

#[tokio::test]
async fn prosody_taken_username_is_refused() {
    taken_username_is_refused(ServerKind::Prosody).await;
}

#[tokio::test]
async fn ejabberd_taken_username_is_refused() {
    taken_username_is_refused(ServerKind::Ejabberd).await;
}

async fn missing_password_is_refused(kind: ServerKind) {
    let server = server(kind);
    let user = fresh_username("nopass");
    let mut registration = registration_builder(server, Security::StartTls)
        .start_registration()
        .await
        .unwrap();
    let query = RegisterQuery::new().with_field(RegisterField::Username, user.as_str());
    let err = registration.submit_query(query).await.unwrap_err();
    match (kind, refusal(&err)) {
        (ServerKind::Prosody, RegistrationError::MissingOrInvalidFields(e)) => {
            assert!(
                e.text().is_some_and(|t| t.contains("Password")),
                "Prosody names the field: {e:?}"
            );
        }
        (ServerKind::Ejabberd, RegistrationError::BadRequest(_)) => {}
        _ => panic!("{kind}: {err:?}"),
    }
    registration.close().await.unwrap();
    assert_not_authorized(
        sign_in(server, &user, "any password").await,
        &format!("{kind}: no account"),
    );
}

#[tokio::test]
async fn prosody_missing_password_is_refused() {
    missing_password_is_refused(ServerKind::Prosody).await;
}

#[tokio::test]
async fn ejabberd_missing_password_is_refused() {
    missing_password_is_refused(ServerKind::Ejabberd).await;
}

// ----- signed in -----------------------------------------------------------------------------

async fn change_password(kind: ServerKind) {
    let server = server(kind);
    let account = server.new_account("change").unwrap();
    let (client, _events) =
        builder_for(server, &account.jid, &account.password, Security::StartTls)
            .connect()
            .await
            .unwrap();
    client
        .registration()
        .change_password("brand new")
        .await
        .unwrap_or_else(|e| panic!("{kind}: {e}"));
    // The session goes on.
    client
        .request(openxmpp::stanza::Iq::get(
            "",
            openxmpp::core::xml::Element::new("query", "jabber:iq:roster"),
        ))
        .await
        .unwrap();
    client.close().await.unwrap();
    sign_in(server, &account.user, "brand new").await.unwrap();
    assert_not_authorized(
        sign_in(server, &account.user, &account.password).await,
        &format!("{kind}: the old password"),
    );
}

#[tokio::test]
async fn prosody_change_password() {
    change_password(ServerKind::Prosody).await;
}

#[tokio::test]
async fn ejabberd_change_password() {
    change_password(ServerKind::Ejabberd).await;
}

async fn cancel_account(kind: ServerKind) {
    let server = server(kind);
    let account = server.new_account("leaving").unwrap();
    let (client, _events) =
        builder_for(server, &account.jid, &account.password, Security::StartTls)
            .connect()
            .await
            .unwrap();
    client
        .registration()
        .cancel_account()
        .await
        .unwrap_or_else(|e| panic!("{kind}: {e}"));
    // The client is closed.
    assert!(matches!(
        client.send(openxmpp::stanza::Presence::available()).await,
        Err(Error::Closed)
    ));
    assert_not_authorized(
        sign_in(server, &account.user, &account.password).await,
        &format!("{kind}: a deleted account"),
    );
    // The name is free again.
    let mut registration = registration_builder(server, Security::StartTls)
        .start_registration()
        .await
        .unwrap();
    registration
        .submit(account.user.as_str(), "reborn")
        .await
        .unwrap();
    registration.close().await.unwrap();
    sign_in(server, &account.user, "reborn").await.unwrap();
}

#[tokio::test]
async fn prosody_cancel_account() {
    cancel_account(ServerKind::Prosody).await;
}

#[tokio::test]
async fn ejabberd_cancel_account() {
    cancel_account(ServerKind::Ejabberd).await;
}

// ----- blocking ------------------------------------------------------------------------------

#[test]
fn blocking_registration_password_change_and_cancellation() {
    for kind in ServerKind::ALL {
        let server = server(kind);
        let user = fresh_username("sync");
        let jid = format!("{user}@{}", server.domain());
        let mut registration = openxmpp::blocking::Registration::start(registration_builder(
            server,
            Security::StartTls,
        ))
        .unwrap();
        assert!(registration.form().field_names().count() >= 2);
        registration.submit(user.as_str(), "one").unwrap();
        let err = registration.submit(user.as_str(), "one").unwrap_err();
        assert!(
            matches!(refusal(&err), RegistrationError::UsernameTaken(_)),
            "{kind}: {err:?}"
        );
        registration.close().unwrap();

        let client = builder_for(server, &jid, "one", Security::DirectTls)
            .connect_blocking()
            .unwrap();
        client.registration().change_password("two").unwrap();
        client.close().unwrap();

        let client = builder_for(server, &jid, "two", Security::StartTls)
            .connect_blocking()
            .unwrap_or_else(|e| panic!("{kind}: the new password: {e}"));
        client.registration().cancel_account().unwrap();
        let err = builder_for(server, &jid, "two", Security::StartTls)
            .connect_blocking()
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Connection(ConnectionError::Auth(AuthError::Refused { .. }))
            ),
            "{kind}: {err:?}"
        );
    }
}

#[tokio::test]
async fn registration_builder_for_a_bare_domain() {
    let server = server(ServerKind::Prosody);
    let addr = server.starttls_addr();
    let registration = Registration::builder(server.domain())
        .server(addr.ip().to_string(), addr.port())
        .add_ca_file(server.ca_cert_path())
        .start_registration()
        .await
        .unwrap();
    assert!(format!("{registration:?}").contains(server.domain()));
    registration.close().await.unwrap();
}

#[tokio::test]
async fn an_untrusted_certificate_stops_registration() {
    let server = server(ServerKind::Ejabberd);
    let addr = server.starttls_addr();
    // Without the test CA the server's certificate is not trusted: nothing is asked.
    let err = Registration::builder(server.domain())
        .server(addr.ip().to_string(), addr.port())
        .start_registration()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Connection(ConnectionError::Tls(_))),
        "{err:?}"
    );
}
