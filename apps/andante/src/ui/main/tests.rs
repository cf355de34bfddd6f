//! Headless tests of the main screen (iced_test): what is drawn, and what clicks and typing
//! do to the state and the commands sent.

use std::sync::Arc;

use iced_test::{Simulator, simulator};
use openxmpp::im::chats::Direction;
use openxmpp::im::presence::Availability;
use openxmpp::im::roster::RosterEvent;
use openxmpp::im::subscriptions::SubscriptionEvent;
use openxmpp::{Event, ImEvent};

use super::*;
use crate::domain::account::{ServerOptions, SignIn};
use crate::domain::conversation::DeliveryState;
use crate::domain::roster::tests::{item, online as presence};
use crate::domain::session::tests::{chat_from, online, romeo};

fn main_screen() -> Main {
    let sign_in = SignIn::from_form("juliet@capulet.lit", "pw", ServerOptions::default()).unwrap();
    let mut main = Main::new(Arc::new(sign_in), None, Some(History::in_memory().unwrap()));
    let settings = Settings::default();
    let _ = main.events(
        vec![
            online(),
            Event::Im {
                event: ImEvent::Roster {
                    event: RosterEvent::Added(item(
                        "romeo@montague.lit",
                        Some("Romeo"),
                        &["Montague"],
                    )),
                },
            },
            Event::Im {
                event: ImEvent::Roster {
                    event: RosterEvent::Added(item(
                        "nurse@capulet.lit",
                        Some("Nurse"),
                        &["Capulet"],
                    )),
                },
            },
            Event::Im {
                event: ImEvent::Roster {
                    event: RosterEvent::Added(item(
                        "tybalt@capulet.lit",
                        Some("Tybalt"),
                        &["Capulet"],
                    )),
                },
            },
            Event::Im {
                event: ImEvent::Presence {
                    change: presence("romeo@montague.lit", "orchard", Availability::Away),
                },
            },
            Event::Im {
                event: ImEvent::Presence {
                    change: presence("nurse@capulet.lit", "kitchen", Availability::Available),
                },
            },
        ],
        &settings,
    );
    main.unsent.clear();
    main
}

/// Simulates `act` on the screen, then runs the messages it produced through `main`.
fn interact(main: &mut Main, act: impl FnOnce(&mut Simulator<'_, Message>)) {
    let messages: Vec<Message> = {
        let mut ui = simulator(main.view());
        act(&mut ui);
        ui.into_messages().collect()
    };
    for message in messages {
        let _ = main.update(message, &Settings::default());
    }
}

/// Whether the screen shows `text`.
fn shows(main: &Main, text: &str) -> bool {
    simulator(main.view()).find(text).is_ok()
}

fn click(ui: &mut Simulator<'_, Message>, selector: &str) {
    ui.click(selector)
        .unwrap_or_else(|e| panic!("{selector}: {e}"));
}

fn click_id(ui: &mut Simulator<'_, Message>, id: &'static str) {
    ui.click(iced::widget::Id::new(id))
        .unwrap_or_else(|e| panic!("{id}: {e}"));
}

#[test]
fn the_roster_shows_groups_contacts_and_presence() {
    let main = main_screen();
    for shown in [
        "Capulet  1/2",
        "Montague  1/1",
        "Romeo",
        "Nurse",
        "Tybalt",
        "Away",
        "Available",
        "Offline",
        "Online",
    ] {
        assert!(shows(&main, shown), "{shown} is not shown");
    }
}

#[test]
fn filtering_as_you_type_and_hiding_offline() {
    let mut main = main_screen();
    interact(&mut main, |ui| {
        click_id(ui, FILTER_INPUT);
        ui.typewrite("ur");
    });
    assert_eq!(main.filter.text, "ur");
    assert!(shows(&main, "Nurse"));
    assert!(!shows(&main, "Romeo"));
    assert!(!shows(&main, "Tybalt"));

    let _ = main.update(Message::Filter(String::new()), &Settings::default());
    interact(&mut main, |ui| click(ui, "Hide offline contacts"));
    assert!(!shows(&main, "Tybalt"));
    assert!(shows(&main, "Romeo"));
}

#[test]
fn enter_in_the_filter_opens_the_first_match() {
    let mut main = main_screen();
    let _ = main.update(Message::Filter("tyb".into()), &Settings::default());
    let _ = main.update(Message::FilterSubmit, &Settings::default());
    assert_eq!(main.pane, Pane::Chat("tybalt@capulet.lit".parse().unwrap()));
    // The filter is cleared: every contact is listed again.
    assert!(main.filter.text.is_empty());
    assert!(shows(&main, "Romeo"));
}

#[test]
fn approving_a_request_adds_the_contact_back() {
    let mut main = main_screen();
    let _ = main.events(
        vec![Event::Im {
            event: ImEvent::Subscription {
                event: SubscriptionEvent::Requested {
                    from: "benvolio@montague.lit".parse().unwrap(),
                    status: Some("Hi, it's Benvolio".into()),
                },
            },
        }],
        &Settings::default(),
    );
    assert!(shows(
        &main,
        "benvolio@montague.lit wants to see your presence: “Hi, it's Benvolio”"
    ));
    interact(&mut main, |ui| click(ui, "Approve"));
    assert!(main.state.requests.is_empty());
    assert_eq!(
        main.unsent,
        [Command::Approve {
            jid: "benvolio@montague.lit".parse().unwrap(),
            add_back: true
        }]
    );
    assert!(!shows(&main, "Approve"));
}

#[test]
fn denying_a_request() {
    let mut main = main_screen();
    let _ = main.events(
        vec![Event::Im {
            event: ImEvent::Subscription {
                event: SubscriptionEvent::Requested {
                    from: "paris@verona.lit".parse().unwrap(),
                    status: None,
                },
            },
        }],
        &Settings::default(),
    );
    interact(&mut main, |ui| click(ui, "Deny"));
    assert_eq!(
        main.unsent,
        [Command::Deny {
            jid: "paris@verona.lit".parse().unwrap()
        }]
    );
}

#[test]
fn sending_a_message_from_the_composer() {
    let mut main = main_screen();
    interact(&mut main, |ui| click(ui, "Romeo"));
    assert_eq!(main.pane, Pane::Chat(romeo()));
    interact(&mut main, |ui| {
        click_id(ui, COMPOSER);
        ui.typewrite("Wherefore art thou?");
        ui.tap_key(iced::keyboard::key::Named::Enter);
    });
    let line = main
        .state
        .conversations
        .get(&romeo())
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(line.body, "Wherefore art thou?");
    assert_eq!(line.direction, Direction::Outgoing);
    assert_eq!(line.state, DeliveryState::Sending);
    assert!(main.chat.composer.text().trim().is_empty());
    let sends = main
        .unsent
        .iter()
        .filter(|c| matches!(c, Command::SendChat { .. }))
        .count();
    assert_eq!(sends, 1, "{:?}", main.unsent);
    // Typing said "composing" once.
    assert!(
        main.unsent
            .iter()
            .any(|c| matches!(c, Command::ChatState { .. }))
    );
    assert!(shows(&main, "Wherefore art thou?"));
    assert!(shows(&main, "sending…"));
    // Sent, then the receipt comes back.
    let id = line.id.unwrap();
    let _ = main.update(
        Message::Outcome(Outcome::Sent {
            peer: romeo(),
            id: id.clone(),
        }),
        &Settings::default(),
    );
    assert!(shows(&main, "✓ sent"));
    let _ = main.events(
        vec![Event::Im {
            event: ImEvent::Receipt {
                from: "romeo@montague.lit/orchard".parse().unwrap(),
                id,
            },
        }],
        &Settings::default(),
    );
    assert!(shows(&main, "✓✓ delivered"));
}

#[test]
fn shift_enter_adds_a_line_instead_of_sending() {
    let mut main = main_screen();
    let _ = main.update(Message::OpenChat(romeo()), &Settings::default());
    interact(&mut main, |ui| {
        click_id(ui, COMPOSER);
        ui.typewrite("one");
        let enter = iced::keyboard::Key::Named(iced::keyboard::key::Named::Enter);
        ui.simulate([iced::Event::Keyboard(iced::keyboard::Event::KeyPressed {
            key: enter.clone(),
            modified_key: enter,
            physical_key: iced::keyboard::key::Physical::Unidentified(
                iced::keyboard::key::NativeCode::Unidentified,
            ),
            location: iced::keyboard::Location::Standard,
            modifiers: iced::keyboard::Modifiers::SHIFT,
            repeat: false,
            text: None,
        })]);
    });
    assert!(
        main.state
            .conversations
            .get(&romeo())
            .unwrap()
            .lines()
            .is_empty()
    );
    assert_eq!(main.chat.composer.line_count(), 2);
}

#[test]
fn unread_counters_in_the_roster_and_the_title() {
    let mut main = main_screen();
    main.state.focused = false;
    let _ = main.events(
        vec![
            chat_from(&romeo(), "m1", "Juliet?"),
            chat_from(&romeo(), "m2", "Art thou there?"),
        ],
        &Settings::default(),
    );
    assert_eq!(main.unread(), 2);
    assert!(shows(&main, "2"), "the unread badge");
    // Back in the window, opening the conversation clears it and marks it read.
    let _ = main.set_focused(true, &Settings::default());
    interact(&mut main, |ui| click(ui, "Romeo"));
    assert_eq!(main.unread(), 0);
    assert!(!shows(&main, "2"));
    assert!(main.unsent.iter().any(|c| matches!(
        c,
        Command::MarkDisplayed { id, .. } if id == "m2"
    )));
    assert!(shows(&main, "Art thou there?"));
}

#[test]
fn typing_from_the_contact_is_shown() {
    let mut main = main_screen();
    let _ = main.update(Message::OpenChat(romeo()), &Settings::default());
    let _ = main.events(
        vec![Event::Im {
            event: ImEvent::ChatState {
                conversation: openxmpp::im::chats::ConversationKey::with(romeo()),
                from: "romeo@montague.lit/orchard".parse().unwrap(),
                state: openxmpp::im::chat_states::ChatState::Composing,
            },
        }],
        &Settings::default(),
    );
    assert!(shows(&main, "Romeo is typing…"));
}

#[test]
fn offline_messages_are_queued_and_marked() {
    let mut main = main_screen();
    let _ = main.events(
        vec![Event::Disconnected {
            error: Some(openxmpp::ConnectionError::TransportClosed),
        }],
        &Settings::default(),
    );
    let _ = main.update(Message::OpenChat(romeo()), &Settings::default());
    main.chat.composer = text_editor::Content::with_text("later then");
    let _ = main.update(Message::Send, &Settings::default());
    assert!(shows(&main, "queued"));
    assert!(shows(&main, "Offline — The connection was lost."));
    assert!(
        main.unsent
            .iter()
            .all(|c| !matches!(c, Command::SendChat { .. }))
    );
    let _ = main.events(vec![online()], &Settings::default());
    assert!(
        main.unsent
            .iter()
            .any(|c| matches!(c, Command::SendChat { body, .. } if body == "later then"))
    );
}

#[test]
fn adding_editing_and_removing_a_contact() {
    let mut main = main_screen();
    interact(&mut main, |ui| click(ui, "+ Contact"));
    interact(&mut main, |ui| {
        click_id(ui, "add-contact-jid");
        ui.typewrite("mercutio@verona.lit");
        click(ui, "Add");
    });
    assert_eq!(
        main.unsent.last(),
        Some(&Command::AddContact {
            jid: "mercutio@verona.lit".parse().unwrap(),
            name: None,
            group: None
        })
    );
    let _ = main.update(Message::OpenChat(romeo()), &Settings::default());
    interact(&mut main, |ui| click(ui, "Edit contact"));
    let _ = main.update(
        Message::EditContactName("Romeo M.".into()),
        &Settings::default(),
    );
    let _ = main.update(Message::SaveContact, &Settings::default());
    assert_eq!(
        main.unsent.last(),
        Some(&Command::UpdateContact {
            jid: romeo(),
            name: Some("Romeo M.".into()),
            groups: vec!["Montague".into()]
        })
    );
    let _ = main.update(Message::ToggleEditContact, &Settings::default());
    interact(&mut main, |ui| click(ui, "Remove contact"));
    interact(&mut main, |ui| click(ui, "Yes, remove"));
    assert_eq!(
        main.unsent.last(),
        Some(&Command::RemoveContact { jid: romeo() })
    );
}

#[test]
fn choosing_a_presence_sends_it() {
    let mut main = main_screen();
    let (_, action) = main.update(
        Message::Presence(MyPresence::DoNotDisturb),
        &Settings::default(),
    );
    assert_eq!(action, Action::None);
    assert_eq!(
        main.unsent.last(),
        Some(&Command::SetPresence {
            presence: MyPresence::DoNotDisturb,
            status: String::new()
        })
    );
    let (_, action) = main.update(Message::Presence(MyPresence::Offline), &Settings::default());
    assert_eq!(action, Action::Disconnect);
    // Offline: choosing a presence signs in again.
    main.state.status = ConnectionStatus::Offline { error: None };
    let (_, action) = main.update(Message::Presence(MyPresence::Away), &Settings::default());
    assert_eq!(action, Action::Connect);
}

#[test]
fn a_large_roster_builds_only_the_visible_rows() {
    let mut main = main_screen();
    main.state.roster.replace_all((0..5_000).map(|i| {
        item(
            &format!("contact{i:04}@example.com"),
            Some(&format!("Contact {i:04}")),
            &[],
        )
    }));
    assert!(shows(&main, "Contact 0000"));
    assert!(!shows(&main, "Contact 4999"));
    main.roster_scroll.offset = 4_990.0 * roster::ROW_HEIGHT;
    assert!(shows(&main, "Contact 4999"));
}

#[test]
fn rooms_show_subject_occupants_and_lines() {
    use openxmpp::im::muc::{Affiliation, MucEvent, Occupant, Role};
    let mut main = main_screen();
    let _ = main.update(Message::ToggleJoinRoom, &Settings::default());
    let _ = main.update(
        Message::JoinRoomJid("balcony@conference.capulet.lit".into()),
        &Settings::default(),
    );
    let _ = main.update(Message::JoinRoomSubmit, &Settings::default());
    let room: openxmpp::BareJid = "balcony@conference.capulet.lit".parse().unwrap();
    assert_eq!(
        main.unsent.last(),
        Some(&Command::JoinRoom {
            room: room.clone(),
            nick: "juliet".into()
        })
    );
    let muc = |event| Event::Im {
        event: ImEvent::Muc {
            event: Box::new(event),
        },
    };
    let _ = main.events(
        vec![
            muc(MucEvent::OccupantJoined {
                room: room.clone(),
                occupant: Occupant {
                    nick: "romeo".into(),
                    role: Role::Moderator,
                    affiliation: Affiliation::Owner,
                    jid: None,
                    show: None,
                    status: None,
                },
            }),
            muc(MucEvent::Joined {
                room: room.clone(),
                nick: "juliet".into(),
                occupants: 2,
                role: Role::Participant,
                affiliation: Affiliation::None,
                created: false,
                status: Vec::new(),
            }),
            muc(MucEvent::Subject {
                room: room.clone(),
                subject: Some("Parting is such sweet sorrow".into()),
                by: None,
            }),
            muc(MucEvent::Message {
                room: room.clone(),
                nick: Some("romeo".into()),
                own: false,
                delay: None,
                message: openxmpp::stanza::Message::new(
                    openxmpp::stanza::MessageType::Groupchat,
                    None,
                )
                .with_body(None, "Good night!"),
            }),
        ],
        &Settings::default(),
    );
    assert!(shows(&main, "Parting is such sweet sorrow"));
    assert!(shows(&main, "Good night!"));
    assert!(shows(&main, "moderator"));
    interact(&mut main, |ui| {
        click_id(ui, room::INPUT);
        ui.typewrite("Good night, good night!");
        ui.tap_key(iced::keyboard::key::Named::Enter);
    });
    assert_eq!(
        main.unsent.last(),
        Some(&Command::SayInRoom {
            room,
            body: "Good night, good night!".into()
        })
    );
}

#[test]
fn notifications_only_while_the_window_is_not_focused() {
    let mut main = main_screen();
    let settings = Settings::default();
    // Focused: the message is on screen, no notification.
    let _ = main.events(vec![chat_from(&romeo(), "n1", "Hello?")], &settings);
    assert!(main.notified.is_empty());
    // Not focused: one notification with the contact's name.
    let _ = main.set_focused(false, &settings);
    let _ = main.events(vec![chat_from(&romeo(), "n2", "Are you there?")], &settings);
    assert_eq!(
        main.notified,
        [("Romeo".to_owned(), "Are you there?".to_owned())]
    );
    // A burst makes one notification, not a flood.
    let _ = main.events(
        vec![
            chat_from(&romeo(), "n3", "one"),
            chat_from(&romeo(), "n4", "two"),
            chat_from(&romeo(), "n5", "three"),
        ],
        &settings,
    );
    assert_eq!(
        main.notified.last(),
        Some(&("andante".to_owned(), "3 new messages".to_owned()))
    );
    // Turned off in the settings: none.
    let off = Settings {
        notifications: false,
        ..Settings::default()
    };
    let before = main.notified.len();
    let _ = main.events(vec![chat_from(&romeo(), "n6", "quiet")], &off);
    assert_eq!(main.notified.len(), before);
}

#[test]
fn outgoing_requests_are_marked_pending() {
    let mut main = main_screen();
    let mut waiting = crate::domain::roster::tests::item("paris@verona.lit", Some("Paris"), &[]);
    waiting.subscription = openxmpp::im::roster::Subscription::None;
    waiting.ask = true;
    let _ = main.events(
        vec![Event::Im {
            event: ImEvent::Roster {
                event: RosterEvent::Added(waiting),
            },
        }],
        &Settings::default(),
    );
    assert!(shows(&main, "Paris"));
    assert!(shows(&main, "request sent, waiting for an answer"));
}

#[test]
fn the_connection_status_shows_reconnecting() {
    let mut main = main_screen();
    assert!(shows(&main, "Online"));
    let _ = main.events(
        vec![
            Event::Disconnected {
                error: Some(openxmpp::ConnectionError::TransportClosed),
            },
            Event::Reconnecting {
                attempt: 1,
                delay: std::time::Duration::from_secs(2),
            },
        ],
        &Settings::default(),
    );
    assert!(shows(
        &main,
        "Connection lost — reconnecting in 2 s (attempt 1)"
    ));
    // The countdown goes on with the clock.
    let _ = main.state.tick(crate::domain::time::now_ms() + 1_500);
    assert!(shows(
        &main,
        "Connection lost — reconnecting in 1 s (attempt 1)"
    ));
    let _ = main.state.tick(crate::domain::time::now_ms() + 5_000);
    assert!(shows(&main, "Connection lost — reconnecting (attempt 1)…"));
    // Contacts are offline meanwhile; back online, the status says so.
    let _ = main.events(vec![online()], &Settings::default());
    assert!(shows(&main, "Online"));
}

#[test]
fn corrections_and_read_markers_are_shown() {
    let mut main = main_screen();
    let _ = main.update(Message::OpenChat(romeo()), &Settings::default());
    let _ = main.events(
        vec![chat_from(&romeo(), "r1", "Good morrow")],
        &Settings::default(),
    );
    let mut correction = chat_from(&romeo(), "r2", "Good morrow, sweet Juliet");
    if let Event::Im {
        event: ImEvent::Message { message },
    } = &mut correction
    {
        message
            .message
            .payloads
            .push(openxmpp::im::correction::Replace::new("r1").into());
    }
    let _ = main.events(vec![correction], &Settings::default());
    assert!(shows(&main, "Good morrow, sweet Juliet"));
    assert!(shows(&main, "(edited)"));
    assert!(!shows(&main, "Good morrow"));

    main.chat.composer = text_editor::Content::with_text("Good morrow");
    let _ = main.update(Message::Send, &Settings::default());
    let id = main
        .state
        .conversations
        .get(&romeo())
        .unwrap()
        .last()
        .unwrap()
        .id
        .clone()
        .unwrap();
    let _ = main.events(
        vec![Event::Im {
            event: ImEvent::Marker {
                conversation: openxmpp::im::chats::ConversationKey::with(romeo()),
                from: "romeo@montague.lit/orchard".parse().unwrap(),
                marker: openxmpp::im::markers::Marker::Displayed { id },
            },
        }],
        &Settings::default(),
    );
    assert!(shows(&main, "✓✓ read"));

    // ↑ in the empty composer corrects it; the line is then shown as edited.
    interact(&mut main, |ui| {
        click_id(ui, COMPOSER);
        ui.tap_key(iced::keyboard::key::Named::ArrowUp);
    });
    assert!(shows(&main, "Correcting your last message"));
    main.chat.composer = text_editor::Content::with_text("Good morrow, Romeo");
    let _ = main.update(Message::Send, &Settings::default());
    assert!(matches!(
        main.unsent.last(),
        Some(Command::SendChat { replaces: Some(_), body, .. }) if body == "Good morrow, Romeo"
    ));
    assert!(shows(&main, "Good morrow, Romeo"));
}

#[test]
fn searching_within_a_conversation() {
    let mut main = main_screen();
    let _ = main.events(
        vec![
            chat_from(&romeo(), "s1", "What light through yonder window breaks?"),
            chat_from(&romeo(), "s2", "It is the east"),
        ],
        &Settings::default(),
    );
    let _ = main.update(Message::OpenChat(romeo()), &Settings::default());
    interact(&mut main, |ui| click(ui, "Search"));
    interact(&mut main, |ui| {
        click_id(ui, chat::SEARCH);
        ui.typewrite("WINDOW");
    });
    assert!(shows(&main, "1 message found:"));
    let (_, results) = main.chat.search.as_ref().unwrap();
    assert_eq!(results[0].body, "What light through yonder window breaks?");
    let _ = main.update(Message::Search("nightingale".into()), &Settings::default());
    assert!(shows(&main, "Nothing found."));
}

#[test]
fn selecting_a_line_to_copy_it() {
    let mut main = main_screen();
    let _ = main.events(
        vec![chat_from(&romeo(), "c1", "Parting is such sweet sorrow")],
        &Settings::default(),
    );
    let _ = main.update(Message::OpenChat(romeo()), &Settings::default());
    interact(&mut main, |ui| click(ui, "Parting is such sweet sorrow"));
    assert!(main.chat.selected.is_some());
    let messages: Vec<Message> = {
        let mut ui = simulator(main.view());
        click(&mut ui, "Copy");
        ui.into_messages().collect()
    };
    assert!(
        messages
            .iter()
            .any(|m| matches!(m, Message::Copy(t) if t == "Parting is such sweet sorrow"))
    );
    interact(&mut main, |ui| click(ui, "Close"));
    assert!(main.chat.selected.is_none());
}

#[test]
fn approving_without_adding_back() {
    let mut main = main_screen();
    let _ = main.events(
        vec![Event::Im {
            event: ImEvent::Subscription {
                event: SubscriptionEvent::Requested {
                    from: "benvolio@montague.lit".parse().unwrap(),
                    status: None,
                },
            },
        }],
        &Settings::default(),
    );
    interact(&mut main, |ui| click(ui, "Add them back"));
    interact(&mut main, |ui| click(ui, "Approve"));
    assert_eq!(
        main.unsent,
        [Command::Approve {
            jid: "benvolio@montague.lit".parse().unwrap(),
            add_back: false
        }]
    );
}

#[test]
fn a_log_scrolled_up_stays_where_it_is() {
    let mut main = main_screen();
    let _ = main.events(
        (0..60)
            .map(|i| chat_from(&romeo(), &format!("l{i}"), &format!("line {i}")))
            .collect(),
        &Settings::default(),
    );
    let _ = main.update(Message::OpenChat(romeo()), &Settings::default());
    assert!(main.chat.at_end);
    // The wheel over the log moves it away from the end (the simulator does not run the
    // snap to the end, so the log starts at the top; any position but the end will do).
    interact(&mut main, |ui| {
        let log = ui.find(iced::widget::Id::new(chat::LOG)).unwrap();
        ui.point_at(log.visible_bounds().unwrap().center());
        ui.simulate([iced::Event::Mouse(iced::mouse::Event::WheelScrolled {
            delta: iced::mouse::ScrollDelta::Lines { x: 0.0, y: -5.0 },
        })]);
    });
    assert!(!main.chat.at_end, "scrolled away from the end");
    // A new line does not pull it down (no snap to the end while reading back).
    let _ = main.events(
        vec![chat_from(&romeo(), "l60", "line 60")],
        &Settings::default(),
    );
    assert!(!main.chat.at_end);
    // Sending does.
    main.chat.composer = text_editor::Content::with_text("back to the end");
    let _ = main.update(Message::Send, &Settings::default());
    assert!(main.chat.at_end);
}

#[test]
fn reading_back_moves_a_window_of_lines() {
    let mut main = main_screen();
    let conversation = main.state.conversations.open(&romeo());
    for i in 0..1_000 {
        conversation.push(crate::domain::conversation::ChatLine {
            db_id: None,
            id: Some(format!("w{i}")),
            archive_id: None,
            direction: Direction::Incoming,
            body: format!("line {i:04}"),
            at_ms: i,
            state: DeliveryState::Received,
            edited: false,
        });
    }
    conversation.history_loaded = true;
    conversation.history_exhausted = true;
    let _ = main.update(Message::OpenChat(romeo()), &Settings::default());
    assert!(shows(&main, "line 0999"));
    assert!(
        !shows(&main, "line 0899"),
        "only the last 100 lines are built"
    );
    for _ in 0..5 {
        interact(&mut main, |ui| click(ui, "Earlier messages"));
    }
    // The window grew to 300 lines, then moved up: lines 400 to 699.
    assert!(shows(&main, "line 0400"));
    assert!(!shows(&main, "line 0399"));
    assert!(shows(&main, "line 0699"));
    assert!(!shows(&main, "line 0700"));
    assert!(shows(&main, "Later messages"));
    let _ = main.update(Message::ShowLater, &Settings::default());
    assert!(shows(&main, "line 0799"));
    assert!(!shows(&main, "line 0800"));
    // A new line while reading back does not pull the log down.
    let _ = main.events(
        vec![chat_from(&romeo(), "w1000", "line 1000")],
        &Settings::default(),
    );
    assert!(!main.chat.at_end);
    let _ = main.update(Message::ShowLatest, &Settings::default());
    assert!(shows(&main, "line 1000"));
    assert!(!shows(&main, "Later messages"));
    assert!(main.chat.at_end);
}

#[test]
fn conversations_with_non_contacts_are_listed() {
    let mut main = main_screen();
    main.state.focused = false;
    let stranger: openxmpp::BareJid = "mercutio@verona.lit".parse().unwrap();
    let _ = main.events(
        vec![chat_from(&stranger, "x1", "A plague o' both your houses!")],
        &Settings::default(),
    );
    assert!(shows(&main, "Not in your contacts"));
    assert!(shows(&main, "mercutio@verona.lit"));
    assert_eq!(main.state.conversations.unread(&stranger), 1);
    main.state.focused = true;
    interact(&mut main, |ui| click(ui, "mercutio@verona.lit"));
    assert_eq!(main.pane, Pane::Chat(stranger.clone()));
    assert_eq!(main.unread(), 0);
    assert!(shows(&main, "A plague o' both your houses!"));
    // Offered to be added: the form opens with the address filled in.
    interact(&mut main, |ui| click(ui, "Add contact"));
    assert_eq!(
        main.add_contact.as_ref().map(|f| f.jid.as_str()),
        Some("mercutio@verona.lit")
    );
    interact(&mut main, |ui| click(ui, "Add"));
    assert_eq!(
        main.unsent.last(),
        Some(&Command::AddContact {
            jid: stranger,
            name: None,
            group: None
        })
    );
}

#[test]
fn a_status_message_goes_with_the_presence() {
    let mut main = main_screen();
    interact(&mut main, |ui| {
        click(ui, "Status message");
        ui.typewrite("On the balcony");
        ui.tap_key(iced::keyboard::key::Named::Enter);
    });
    assert_eq!(
        main.unsent.last(),
        Some(&Command::SetPresence {
            presence: MyPresence::Available,
            status: "On the balcony".into()
        })
    );
    let _ = main.update(Message::Presence(MyPresence::Away), &Settings::default());
    assert_eq!(
        main.unsent.last(),
        Some(&Command::SetPresence {
            presence: MyPresence::Away,
            status: "On the balcony".into()
        })
    );
}
