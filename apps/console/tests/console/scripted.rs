//! Scripted mode with `--json` against both servers: every command, two consoles talking,
//! the subscription handshake, rooms, the archive, bad input.

use openxmpp_testkit::ServerKind;
use serde_json::Value;

use crate::common::{Console, server};

fn is(event: &Value, kind: &str) -> bool {
    event["event"] == kind
}

fn from_account(event: &Value, jid: &str) -> bool {
    event["from"]
        .as_str()
        .is_some_and(|from| from == jid || from.starts_with(&format!("{jid}/")))
}

fn roster_item<'a>(event: &'a Value, jid: &str) -> Option<&'a Value> {
    event["items"]
        .as_array()?
        .iter()
        .find(|item| item["jid"] == jid)
}

#[test]
fn every_local_command_and_bad_input() {
    for kind in ServerKind::ALL {
        let server = server(kind);
        let me = server.new_account("cmd").unwrap();
        let friend = server.new_account("cmdf").unwrap();
        let mut c = Console::start(server, &me);
        let fj = &friend.jid;

        // The roster, empty, then with a contact added, renamed into a group, removed.
        c.ok("roster");
        let roster = c.expect(|e| is(e, "roster"));
        assert!(roster["items"].is_array(), "{kind}: {roster}");
        c.ok(&format!("add {fj}, Friend, Pals"));
        let roster = c.expect(|e| is(e, "roster") && roster_item(e, fj).is_some());
        let item = roster_item(&roster, fj).unwrap();
        assert_eq!(item["name"], "Friend", "{kind}: {item}");
        assert_eq!(item["groups"], serde_json::json!(["Pals"]));
        assert_eq!(item["subscription"], "none");
        assert_eq!(item["ask"], Value::Null);
        c.ok("who");
        let who = c.expect(|e| is(e, "who"));
        assert_eq!(who["contacts"][0]["jid"], *fj, "{kind}: {who}");
        assert_eq!(who["contacts"][0]["resources"], serde_json::json!([]));

        // Our own presence, as the server reflects it.
        c.ok("presence away, reading, en");
        let own =
            c.expect(|e| is(e, "presence") && from_account(e, &me.jid) && e["show"] == "away");
        assert_eq!(own["status"], "reading", "{kind}: {own}");
        assert_eq!(own["type"], "available");
        c.ok("presence available");
        c.ok(&format!("direct {fj}, dnd, back soon"));
        c.ok(&format!("direct {fj}, unavailable"));

        // Blocking.
        let spam = format!("spam@{}", server.domain());
        c.ok(&format!("block {spam}"));
        let blocked = c.expect(|e| is(e, "blocklist") && e["action"] == "blocked");
        assert_eq!(blocked["jids"], serde_json::json!([spam]), "{kind}");
        c.ok(&format!("unblock {spam}"));
        c.expect(|e| is(e, "blocklist") && e["action"] == "unblocked");

        // The raw traffic, both ways, on demand.
        c.ok("xml on");
        c.ok(&format!("chat {fj}, traced"));
        let xml = c.expect(|e| {
            is(e, "xml")
                && e["xml"]
                    .as_str()
                    .is_some_and(|x| x.contains("<body>traced</body>"))
        });
        assert_eq!(xml["direction"], "out", "{kind}");
        c.ok("<iq type='get' id='ping0'><ping xmlns='urn:xmpp:ping'/></iq>");
        let answer = c.expect(|e| {
            is(e, "xml")
                && e["xml"].as_str().is_some_and(|x| x.contains("id='ping0'"))
                && e["direction"] == "in"
        });
        assert!(
            answer["xml"].as_str().unwrap().contains("type='result'"),
            "{kind}: {answer}"
        );
        c.ok("xml off");
        c.ok(&format!("chat {fj}, not traced"));
        assert!(
            !c.seen(|e| is(e, "xml") && e["xml"].as_str().is_some_and(|x| x.contains("not traced"))),
            "{kind}: xml off stops the trace"
        );

        // Raw stanzas: an IQ waits for its answer; a message is just sent.
        c.ok("<iq type='get' id='ping1'><ping xmlns='urn:xmpp:ping'/></iq>");
        let iq = c.expect(|e| is(e, "iq"));
        assert_eq!(iq["type"], "result", "{kind}: {iq}");
        c.ok(&format!(
            "raw <message to='{fj}' type='chat'><body>raw, as written</body></message>"
        ));
        let error = c.fails(&format!(
            "<iq type='get' id='v1' to='{fj}/nowhere'><query xmlns='jabber:iq:version'/></iq>"
        ));
        assert!(error.contains("request failed"), "{kind}: {error}");

        // Help.
        c.ok("help");
        let help = c.expect(|e| is(e, "help"));
        assert!(help["commands"].as_array().unwrap().len() > 20, "{help}");
        c.ok("help chat");
        let help = c.expect(|e| is(e, "help"));
        assert_eq!(
            help["commands"][0]["usage"],
            "chat <jid>, <body> [, <lang>]"
        );

        c.ok(&format!("delete {fj}"));
        c.expect(|e| is(e, "roster") && roster_item(e, fj).is_none());

        // Bad input: a one-line explanation, and the session goes on.
        for (line, command, expected) in [
            ("frobnicate now", "frobnicate", "unknown command"),
            ("chat juliet@@example.com, hi", "chat", "is not a valid JID"),
            ("chat juliet@example.com", "chat", "takes 2 to 3 arguments"),
            ("delete a@b, c", "delete", "takes 1 argument, not 2"),
            ("roster everything", "roster", "takes no arguments"),
            (
                "<message><body>unclosed",
                "raw",
                "not one well-formed element",
            ),
            ("<a xmlns='urn:example'/>", "raw", "is not a stanza"),
            (
                "raw <presence/><presence/>",
                "raw",
                "not one well-formed element",
            ),
            ("presence sleepy", "presence", "is not available"),
            (
                "join room@conference.example.com",
                "join",
                "room@service/nick",
            ),
        ] {
            let result = c.run(line);
            assert_eq!(result["ok"], false, "{kind}: {line}: {result}");
            assert_eq!(result["command"], command, "{kind}: {line}: {result}");
            let error = result["error"].as_str().unwrap();
            assert!(error.contains(expected), "{kind}: {line}: {error}");
            assert!(!error.contains('\n'));
        }
        c.ok("roster");

        let status = c.exit();
        assert_eq!(status.code(), Some(0), "{kind}");
    }
}

#[test]
fn two_consoles_subscribe_chat_and_read_the_archive() {
    for kind in ServerKind::ALL {
        let server = server(kind);
        let (alice, bob, carol) = (
            server.new_account("alice").unwrap(),
            server.new_account("bob").unwrap(),
            server.new_account("carol").unwrap(),
        );
        let mut a = Console::start(server, &alice);
        let mut b = Console::start(server, &bob);
        let (aj, bj) = (&alice.jid, &bob.jid);

        // The handshake, both ways.
        a.ok(&format!("subscribe {bj}"));
        let request = b.expect(|e| is(e, "subscription") && from_account(e, aj));
        assert_eq!(request["type"], "subscribe", "{kind}: {request}");
        b.ok(&format!("approve {aj}"));
        a.expect(|e| is(e, "subscription") && e["type"] == "subscribed" && from_account(e, bj));
        a.expect(|e| {
            is(e, "roster") && roster_item(e, bj).is_some_and(|i| i["subscription"] == "to")
        });
        a.expect(|e| is(e, "presence") && from_account(e, bj) && e["type"] == "available");
        b.ok(&format!("subscribe {aj}"));
        a.expect(|e| is(e, "subscription") && e["type"] == "subscribe" && from_account(e, bj));
        a.ok(&format!("approve {bj}"));
        b.expect(|e| is(e, "subscription") && e["type"] == "subscribed" && from_account(e, aj));
        b.expect(|e| {
            is(e, "roster") && roster_item(e, aj).is_some_and(|i| i["subscription"] == "both")
        });

        // A refusal.
        let mut c = Console::start(server, &carol);
        c.ok(&format!("subscribe {bj}"));
        b.expect(|e| {
            is(e, "subscription") && e["type"] == "subscribe" && from_account(e, &carol.jid)
        });
        b.ok(&format!("deny {}", carol.jid));
        c.expect(|e| is(e, "subscription") && e["type"] == "unsubscribed" && from_account(e, bj));
        assert_eq!(c.exit().code(), Some(0));

        // Messages, with languages, a subject, a thread.
        a.ok(&format!("chat {bj}, Hello\\, Bob, en"));
        let m = b.expect(|e| is(e, "message") && from_account(e, aj));
        assert_eq!(m["type"], "chat", "{kind}: {m}");
        assert_eq!(m["body"], "Hello, Bob");
        assert_eq!(m["lang"], "en");
        assert_eq!(m["subject"], Value::Null);
        assert_eq!(m["thread"], Value::Null);
        assert!(m["id"].is_string());
        b.ok(&format!("chat {aj}, Hallo Alice, de"));
        let m = a.expect(|e| is(e, "message") && from_account(e, bj));
        assert_eq!(
            (m["body"].as_str(), m["lang"].as_str()),
            (Some("Hallo Alice"), Some("de"))
        );
        a.ok(&format!("chats {bj}, Greeting, Good morrow, en, en"));
        let m = b.expect(|e| is(e, "message") && e["subject"] == "Greeting");
        assert_eq!(m["body"], "Good morrow", "{kind}: {m}");
        a.ok(&format!("thread {bj}, t-42, In the thread, with commas"));
        let m = b.expect(|e| is(e, "message") && e["thread"] == "t-42");
        assert_eq!(m["body"], "In the thread, with commas", "{kind}: {m}");

        // Presence, broadcast and directed, and who sees what.
        a.ok("presence xa, gone fishing");
        let p = b.expect(|e| is(e, "presence") && from_account(e, aj) && e["show"] == "xa");
        assert_eq!(p["status"], "gone fishing", "{kind}: {p}");
        assert_eq!(p["priority"], 0);
        b.ok("who");
        let who = b.expect(|e| is(e, "who"));
        let contact = &who["contacts"][0];
        assert_eq!(contact["jid"], *aj, "{kind}: {who}");
        assert_eq!(contact["resources"][0]["show"], "xa", "{kind}: {who}");
        a.ok(&format!("direct {bj}, dnd, only for you"));
        b.expect(|e| is(e, "presence") && from_account(e, aj) && e["show"] == "dnd");

        // The archive has the conversation.
        b.ok(&format!("history {aj}, 10"));
        let archived = b.expect(|e| {
            is(e, "message") && e["delivery"] == "archive" && e["body"] == "Hello, Bob"
        });
        assert!(archived["stamp"].is_string(), "{kind}: {archived}");

        // Going offline is seen.
        assert_eq!(a.exit().code(), Some(0), "{kind}");
        b.expect(|e| is(e, "presence") && from_account(e, aj) && e["type"] == "unavailable");
        assert_eq!(
            b.end_input().code(),
            Some(0),
            "{kind}: end of input closes cleanly"
        );
    }
}

#[test]
fn rooms_join_say_leave() {
    for kind in ServerKind::ALL {
        let server = server(kind);
        let (alice, bob) = (
            server.new_account("ralice").unwrap(),
            server.new_account("rbob").unwrap(),
        );
        let room = format!("den-{}@conference.{}", alice.user, server.domain());
        let mut a = Console::start(server, &alice);
        let mut b = Console::start(server, &bob);
        a.ok(&format!("join {room}/Alice ☺"));
        let joined = a.expect(|e| is(e, "room") && e["action"] == "joined");
        assert_eq!(joined["room"], room, "{kind}: {joined}");
        assert_eq!(joined["nick"], "Alice ☺");
        b.ok(&format!("join {room}/Bob"));
        let bob_in = a.expect(|e| is(e, "occupant") && e["nick"] == "Bob");
        assert_eq!(bob_in["action"], "joined", "{kind}: {bob_in}");
        b.ok(&format!("say {room}, Hello, room"));
        let m = a.expect(|e| is(e, "message") && e["type"] == "groupchat");
        assert_eq!(m["body"], "Hello, room", "{kind}: {m}");
        assert_eq!(m["from"], format!("{room}/Bob"));
        assert!(
            b.fails("say nowhere@conference.example.com, hi")
                .contains("not in")
        );
        b.ok(&format!("leave {room}"));
        let left = a.expect(|e| is(e, "occupant") && e["action"] == "left");
        assert_eq!(left["nick"], "Bob", "{kind}: {left}");
        assert_eq!(a.exit().code(), Some(0));
        assert_eq!(b.exit().code(), Some(0));
    }
}
