//! The client's flows against both private servers, without a window: the domain state and
//! the network commands the GUI uses, driven the way the GUI drives them.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use andante::domain::account::{ServerOptions, SignIn, TlsChoice, parse_server};
use andante::domain::conversation::DeliveryState;
use andante::domain::errors;
use andante::domain::session::{AccountState, ConnectionStatus, Effect};
use andante::domain::time::now_ms;
use andante::net::register::{self, FieldKind};
use andante::net::{self, Command, Outcome};
use andante::store::History;
use openxmpp::{BareJid, Client, Events};
use openxmpp_testkit::{Account, CutProxy, ServerKind, TestServer, shared};

fn server(kind: ServerKind) -> &'static TestServer {
    shared(kind).unwrap_or_else(|e| panic!("{kind}: {e}"))
}

fn options(server: &TestServer) -> ServerOptions {
    let addr = server.starttls_addr();
    ServerOptions {
        server: Some((addr.ip().to_string(), addr.port())),
        tls: TlsChoice::StartTls,
        ca_file: Some(server.ca_cert_path().to_path_buf()),
    }
}

fn sign_in(server: &TestServer, account: &Account) -> SignIn {
    SignIn::from_form(&account.jid, &account.password, options(server)).unwrap()
}

/// A signed-in account as the main screen runs it: events into the state, effects carried
/// out, outcomes back into the state.
struct Session {
    client: Client,
    events: Events,
    state: AccountState,
    catch_ups: usize,
}

impl Session {
    async fn start(server: &TestServer, account: &Account, history: Option<History>) -> Self {
        Session::start_with(sign_in(server, account), history).await
    }

    async fn start_with(sign_in: SignIn, history: Option<History>) -> Self {
        let (client, events) = sign_in
            .builder()
            .connect()
            .await
            .unwrap_or_else(|e| panic!("{}: {}", sign_in.jid, errors::sign_in(&e)));
        Session {
            client,
            events,
            state: AccountState::new(sign_in.jid.clone(), history),
            catch_ups: 0,
        }
    }

    async fn run(&mut self, effects: Vec<Effect>) {
        let mut queue = effects;
        while !queue.is_empty() {
            let mut next = Vec::new();
            for effect in queue {
                match effect {
                    Effect::Command(command) => {
                        let catch_up = matches!(command, Command::CatchUp { .. });
                        let outcome = net::execute(self.client.clone(), command).await;
                        if let Outcome::Failed { error } = &outcome {
                            panic!("{error}");
                        }
                        next.extend(self.state.outcome(outcome, now_ms()));
                        if catch_up {
                            self.catch_ups += 1;
                        }
                    }
                    Effect::ReloadRoster => {
                        self.state.roster.replace_all(self.client.roster().items());
                    }
                    _ => {}
                }
            }
            queue = next;
        }
    }

    /// Handles events until `done` says so (15 s at most).
    async fn until(&mut self, what: &str, mut done: impl FnMut(&Session) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while !done(self) {
            match tokio::time::timeout_at(deadline, self.events.next()).await {
                Ok(Some(event)) => {
                    let effects = self.state.handle(event, now_ms());
                    self.run(effects).await;
                }
                Ok(None) => panic!("the session ended while waiting for {what}"),
                Err(_) => panic!("timed out waiting for {what}"),
            }
        }
    }

    /// Handles whatever arrives for a moment.
    async fn settle(&mut self) {
        let deadline = tokio::time::Instant::now() + Duration::from_millis(800);
        while let Ok(Some(event)) = tokio::time::timeout_at(deadline, self.events.next()).await {
            let effects = self.state.handle(event, now_ms());
            self.run(effects).await;
        }
    }

    async fn close(self) -> Option<History> {
        self.client.close().await.unwrap();
        self.state.history
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_errors_are_told_plainly() {
    for kind in ServerKind::ALL {
        let server = server(kind);
        let account = server.new_account("errs").unwrap();

        let wrong = SignIn::from_form(&account.jid, "not the password", options(server)).unwrap();
        let e = wrong.builder().connect().await.unwrap_err();
        assert!(
            errors::sign_in(&e).starts_with("Wrong password, or no account"),
            "{kind}: {}",
            errors::sign_in(&e)
        );

        let mut untrusted = options(server);
        untrusted.ca_file = None;
        let e = SignIn::from_form(&account.jid, &account.password, untrusted)
            .unwrap()
            .builder()
            .connect()
            .await
            .unwrap_err();
        assert!(
            errors::sign_in(&e).contains("is not trusted"),
            "{kind}: {}",
            errors::sign_in(&e)
        );

        // A port nobody listens on.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let mut unreachable = options(server);
        unreachable.server = Some(("127.0.0.1".to_owned(), port));
        let e = SignIn::from_form(&account.jid, &account.password, unreachable)
            .unwrap()
            .builder()
            .connect()
            .await
            .unwrap_err();
        assert!(
            errors::sign_in(&e).starts_with("Could not reach the server"),
            "{kind}: {}",
            errors::sign_in(&e)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_an_account_and_a_taken_username() {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    for kind in ServerKind::ALL {
        let server = server(kind);
        let username = format!("newbie{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let domain = parse_server(server.domain()).unwrap();
        for attempt in 0..2 {
            let (pending, mut form) = register::start(domain.clone(), options(server))
                .await
                .unwrap_or_else(|e| panic!("{kind}: {e}"));
            for field in &mut form.fields {
                match (field.var.as_str(), &field.kind) {
                    ("username", _) => field.value = username.clone(),
                    ("password", _) => field.value = "s3cret-enough".to_owned(),
                    (_, FieldKind::Text { .. }) if field.required => field.value = "x".to_owned(),
                    _ => {}
                }
            }
            assert_eq!(form.missing(), None, "{kind}: {form:?}");
            let result = register::submit(pending.clone(), (*form).clone()).await;
            if attempt == 0 {
                result.unwrap_or_else(|e| panic!("{kind}: {e}"));
            } else {
                let error = result.unwrap_err();
                assert!(
                    error.contains(&format!("“{username}” is already taken")),
                    "{kind}: {error}"
                );
                register::cancel(pending).await;
            }
        }
        let account = Account {
            user: username.clone(),
            jid: format!("{username}@{}", server.domain()),
            password: "s3cret-enough".to_owned(),
        };
        let session = Session::start(server, &account, None).await;
        session.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_while_offline_arrive_once_and_stay_in_the_history() {
    for kind in ServerKind::ALL {
        let server = server(kind);
        let (a, b) = (
            server.new_account("hista").unwrap(),
            server.new_account("histb").unwrap(),
        );
        let (alice_jid, bob_jid): (BareJid, BareJid) =
            (a.jid.parse().unwrap(), b.jid.parse().unwrap());
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("history.sqlite");

        // Bob signs in once (so that his archive starts), then goes away.
        let bob = Session::start(server, &b, Some(History::open(&db).unwrap())).await;
        bob.close().await;

        let (alice, _alice_events) = sign_in(server, &a).builder().connect().await.unwrap();
        for i in 0..3 {
            alice
                .chats()
                .send(&bob_jid, &format!("while you were away {i}"))
                .await
                .unwrap();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;

        // Bob is back: offline delivery and the archive catch-up both bring the messages.
        let mut bob = Session::start(server, &b, Some(History::open(&db).unwrap())).await;
        bob.until("the three messages and the catch-up", |s| {
            s.catch_ups >= 1
                && s.state
                    .conversations
                    .get(&alice_jid)
                    .is_some_and(|c| c.lines().len() >= 3)
        })
        .await;
        bob.settle().await;
        let conversation = bob.state.conversations.get(&alice_jid).unwrap();
        let bodies: Vec<_> = conversation
            .lines()
            .iter()
            .map(|l| l.body.clone())
            .collect();
        assert_eq!(
            bodies,
            (0..3)
                .map(|i| format!("while you were away {i}"))
                .collect::<Vec<_>>(),
            "{kind}"
        );
        assert_eq!(conversation.unread, 3, "{kind}");
        assert_eq!(
            bob.state.history.as_ref().unwrap().count().unwrap(),
            3,
            "{kind}"
        );

        // Bob answers from the app.
        let effects = bob.state.send(&alice_jid, "I'm back", None, now_ms());
        bob.run(effects).await;
        let line = bob
            .state
            .conversations
            .get(&alice_jid)
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(
            line.state,
            andante::domain::conversation::DeliveryState::Sent,
            "{kind}"
        );

        // Another session over the same history: nothing is added twice.
        let history = bob.close().await;
        let mut bob = Session::start(server, &b, history).await;
        bob.until("the catch-up", |s| s.catch_ups >= 1).await;
        bob.settle().await;
        assert_eq!(
            bob.state.history.as_ref().unwrap().count().unwrap(),
            4,
            "{kind}"
        );
        bob.state.focused = true;
        bob.state.open_conversation(&alice_jid);
        let lines = bob.state.conversations.get(&alice_jid).unwrap().lines();
        assert_eq!(lines.len(), 4, "{kind}");
        assert_eq!(lines[3].body, "I'm back", "{kind}");
        bob.close().await;
        alice.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_join_talk_and_leave() {
    for kind in ServerKind::ALL {
        let server = server(kind);
        let account = server.new_account("roomie").unwrap();
        let mut s = Session::start(server, &account, None).await;
        s.until("online", |s| s.state.status.is_online()).await;
        let room: BareJid = format!("andante-{}@conference.{}", account.user, server.domain())
            .parse()
            .unwrap();
        s.state.rooms.joining(room.clone(), "juliet".to_owned());
        s.run(vec![Effect::Command(Command::JoinRoom {
            room: room.clone(),
            nick: "juliet".to_owned(),
        })])
        .await;
        s.until("joined", |s| {
            s.state.rooms.get(&room).is_some_and(|r| r.joined)
        })
        .await;
        s.run(vec![Effect::Command(Command::SayInRoom {
            room: room.clone(),
            body: "Hello, room".to_owned(),
        })])
        .await;
        s.until("our message back from the room", |s| {
            s.state
                .rooms
                .get(&room)
                .is_some_and(|r| r.lines().iter().any(|l| l.own && l.body == "Hello, room"))
        })
        .await;
        assert!(
            s.state
                .rooms
                .get(&room)
                .unwrap()
                .occupants
                .contains_key("juliet"),
            "{kind}"
        );
        s.run(vec![Effect::Command(Command::LeaveRoom {
            room: room.clone(),
        })])
        .await;
        s.until("left", |s| s.state.rooms.get(&room).is_none())
            .await;
        s.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_connection_comes_back_by_itself_and_sends_what_was_queued() {
    for kind in ServerKind::ALL {
        let server = server(kind);
        let proxy = CutProxy::start(server.starttls_addr()).unwrap();
        let (a, b) = (
            server.new_account("dropa").unwrap(),
            server.new_account("dropb").unwrap(),
        );
        let alice_jid: BareJid = a.jid.parse().unwrap();
        let (alice, mut alice_events) = sign_in(server, &a).builder().connect().await.unwrap();

        // Bob's app talks to the server through a network that is about to fail.
        let mut through_proxy = options(server);
        through_proxy.server = Some((proxy.addr().ip().to_string(), proxy.addr().port()));
        let bob_sign_in = SignIn::from_form(&b.jid, &b.password, through_proxy).unwrap();
        let mut bob = Session::start_with(bob_sign_in, None).await;
        bob.until("online", |s| s.state.status.is_online()).await;

        proxy.cut_all();
        bob.until("the loss noticed", |s| !s.state.status.is_online())
            .await;
        // Typed while offline: queued, and the status bar says what happens.
        let effects = bob
            .state
            .send(&alice_jid, "written during the outage", None, now_ms());
        bob.run(effects).await;
        assert_eq!(
            bob.state
                .conversations
                .get(&alice_jid)
                .unwrap()
                .last()
                .unwrap()
                .state,
            DeliveryState::Queued,
            "{kind}"
        );
        bob.until("reconnecting shown", |s| {
            matches!(s.state.status, ConnectionStatus::Reconnecting { .. })
        })
        .await;
        assert!(
            bob.state.status.label().contains("reconnecting"),
            "{kind}: {}",
            bob.state.status.label()
        );

        // The library reconnects by itself; the queued message goes out once online.
        bob.until("back online and the message sent", |s| {
            s.state.status.is_online()
                && s.state
                    .conversations
                    .get(&alice_jid)
                    .and_then(|c| c.last())
                    .is_some_and(|l| l.state >= DeliveryState::Sent)
        })
        .await;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            match tokio::time::timeout_at(deadline, alice_events.next()).await {
                Ok(Some(openxmpp::Event::Im {
                    event: openxmpp::ImEvent::Message { message },
                })) if message.message.body() == Some("written during the outage") => break,
                Ok(Some(_)) => {}
                other => panic!("{kind}: alice never got the queued message ({other:?})"),
            }
        }
        bob.close().await;
        alice.close().await.unwrap();
    }
}
