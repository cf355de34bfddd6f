//! How long a frame takes and how much memory the state needs with a large account: 5,000
//! contacts (half online, in 20 groups) and a conversation of 100,000 messages, plus the
//! history database with those 100,000 messages.
//!
//! `cargo bench -p andante --bench frame` (add `-- --runs N`). A frame is measured in its
//! three parts: building the widget tree (`view`), laying it out, and drawing it with the
//! tiny-skia software renderer (at scale factor 2, 2560×1600 pixels, as iced_test does).
//! Every sample starts a new renderer, so that first draw rasterises every glyph; the
//! "redraw" line draws the same interface again, as a running window does.

use std::sync::Arc;
use std::time::{Duration, Instant};

use andante::domain::account::{ServerOptions, SignIn};
use andante::domain::conversation::{ChatLine, DeliveryState};
use andante::domain::settings::Settings;
use andante::store::History;
use andante::ui::main::{Main, Message};
use iced_test::Simulator;
use openxmpp::BareJid;
use openxmpp::im::chats::Direction;
use openxmpp::im::presence::{Availability, PresenceChange, ResourcePresence};
use openxmpp::im::roster::{RosterItem, Subscription};
use openxmpp::stanza::LangTexts;

const CONTACTS: usize = 5_000;
const MESSAGES: usize = 100_000;

/// Resident memory in KiB (Linux), else 0.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4)
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn contact(i: usize) -> BareJid {
    format!("contact{i:05}@example.com").parse().unwrap()
}

fn line(i: usize) -> ChatLine {
    let outgoing = i.is_multiple_of(3);
    ChatLine {
        db_id: None,
        id: Some(format!("m{i}")),
        archive_id: None,
        direction: if outgoing {
            Direction::Outgoing
        } else {
            Direction::Incoming
        },
        body: format!("Message number {i}: a line of ordinary chat, about sixty characters."),
        at_ms: 1_700_000_000_000 + i as i64 * 1_000,
        state: if outgoing {
            DeliveryState::Read
        } else {
            DeliveryState::Received
        },
        edited: false,
    }
}

/// The parts of a frame of `main` at 1280×800, medians over `runs`.
struct Frame {
    view: Duration,
    layout: Duration,
    draw: Duration,
    /// Drawing the same interface again (glyph caches warm, as in a running window).
    redraw: Duration,
}

impl Frame {
    fn total(&self) -> Duration {
        self.view + self.layout + self.draw
    }

    fn print(&self, title: &str) {
        println!("  {title}");
        println!("    view (widget tree)        {}", ms(self.view));
        println!("    layout                    {}", ms(self.layout));
        println!("    draw (tiny-skia, 2×)      {}", ms(self.draw));
        println!("    total                     {}", ms(self.total()));
        println!("    redraw, caches warm       {}", ms(self.redraw));
    }
}

fn measure(main: &Main, runs: usize) -> Frame {
    let mut view = Vec::new();
    let mut layout = Vec::new();
    let mut draw = Vec::new();
    let mut redraw = Vec::new();
    for _ in 0..runs {
        let t0 = Instant::now();
        let element = main.view();
        let t1 = Instant::now();
        let mut ui = Simulator::with_size(iced::Settings::default(), (1280.0, 800.0), element);
        let t2 = Instant::now();
        let _ = ui.snapshot(&iced::Theme::Light).unwrap();
        let t3 = Instant::now();
        let _ = ui.snapshot(&iced::Theme::Light).unwrap();
        redraw.push(t3.elapsed());
        view.push(t1 - t0);
        layout.push(t2 - t1);
        draw.push(t3 - t2);
    }
    Frame {
        view: median(view),
        layout: median(layout),
        draw: median(draw),
        redraw: median(redraw),
    }
}

/// What making a simulator costs with an empty window (renderer set-up and the snapshot of
/// an empty 2560×1600 frame): included in the layout and draw times above.
fn baseline(runs: usize) -> Frame {
    let mut layout = Vec::new();
    let mut draw = Vec::new();
    let mut redraw = Vec::new();
    for _ in 0..runs {
        let t1 = Instant::now();
        let empty: iced::Element<'_, ()> = iced::widget::Space::new().into();
        let mut ui = Simulator::with_size(iced::Settings::default(), (1280.0, 800.0), empty);
        let t2 = Instant::now();
        let _ = ui.snapshot(&iced::Theme::Light).unwrap();
        let t3 = Instant::now();
        let _ = ui.snapshot(&iced::Theme::Light).unwrap();
        redraw.push(t3.elapsed());
        layout.push(t2 - t1);
        draw.push(t3 - t2);
    }
    Frame {
        view: Duration::ZERO,
        layout: median(layout),
        draw: median(draw),
        redraw: median(redraw),
    }
}

fn main() {
    let runs = std::env::args()
        .skip_while(|a| a != "--runs")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(15usize);
    let settings = Settings::default();

    let base = rss_kib();
    let started = Instant::now();
    let sign_in = SignIn::from_form("bench@example.com", "x", ServerOptions::default()).unwrap();
    let mut main = Main::new(Arc::new(sign_in), None, None);
    let state = main.state_mut();
    state.roster.replace_all((0..CONTACTS).map(|i| {
        RosterItem::new(contact(i))
            .with_name(format!("Contact {i:05}"))
            .with_group(format!("Group {:02}", i % 20))
            .with_subscription(Subscription::Both)
    }));
    for i in (0..CONTACTS).step_by(2) {
        state.roster.presence_changed(&PresenceChange::Available {
            contact: contact(i),
            resource: Some("laptop".to_owned()),
            presence: ResourcePresence {
                availability: if i.is_multiple_of(4) {
                    Availability::Available
                } else {
                    Availability::Away
                },
                statuses: LangTexts::default(),
                priority: 0,
                lang: None,
            },
        });
    }
    let roster_built = started.elapsed();
    let roster_rss = rss_kib();
    let conversation = state.conversations.open(&contact(0));
    for i in 0..MESSAGES {
        conversation.push(line(i));
    }
    conversation.history_loaded = true;
    let state_built = started.elapsed();
    let state_rss = rss_kib();

    let _ = main.update(Message::OpenChat(contact(0)), &settings);

    let frame = measure(&main, runs);
    let frame_rss = rss_kib();

    // Reading back: "Earlier messages" clicked 20 times.
    for _ in 0..20 {
        let _ = main.update(Message::LoadEarlier, &settings);
    }
    let back = measure(&main, runs.min(5));

    // Typing in the filter rebuilds the rows of 5,000 contacts.
    let mut filter = Vec::new();
    for i in 0..runs {
        let t0 = Instant::now();
        let _ = main.update(Message::Filter(format!("contact 0{}", i % 10)), &settings);
        drop(main.view());
        filter.push(t0.elapsed());
    }

    // The history database: 100,000 messages stored, the last page loaded, a search.
    let mut history = History::in_memory().unwrap();
    let peer = contact(0);
    let t0 = Instant::now();
    history
        .batch(|h| {
            for i in 0..MESSAGES {
                h.insert(&peer, &line(i))?;
            }
            Ok(())
        })
        .unwrap();
    let stored = t0.elapsed();
    let t0 = Instant::now();
    let (page, _) = history.load(&peer, None, 200).unwrap();
    let loaded = t0.elapsed();
    assert_eq!(page.len(), 200);
    let t0 = Instant::now();
    let found = history.search(&peer, "number 99999", 50).unwrap();
    let searched = t0.elapsed();
    assert_eq!(found.len(), 1);

    println!("andante frame benchmark ({runs} runs, medians)");
    println!("  state: {CONTACTS} contacts, {MESSAGES} messages in one conversation");
    println!("    roster built in           {}", ms(roster_built));
    println!("    everything built in       {}", ms(state_built));
    let mib = |kib: u64| format!("{:.1} MiB", kib as f64 / 1024.0);
    println!("    memory (resident set growth):");
    println!(
        "      roster of {CONTACTS}           {}",
        mib(roster_rss.saturating_sub(base))
    );
    println!(
        "      conversation of {MESSAGES} {}",
        mib(state_rss.saturating_sub(roster_rss))
    );
    println!(
        "      first frames (renderer, fonts, caches) {}",
        mib(frame_rss.saturating_sub(state_rss))
    );
    println!("      process after drawing     {}", mib(frame_rss));
    frame.print("frame with the conversation open (1280×800):");
    back.print("frame after \u{201c}Earlier messages\u{201d} ×20 (reading back):");
    baseline(runs).print("for comparison, an empty window (simulator set-up and snapshot):");
    println!(
        "  typing in the filter (rows rebuilt + view): {}",
        ms(median(filter))
    );
    println!(
        "  history: 100,000 stored in {}, last 200 loaded in {}, search in {}",
        ms(stored),
        ms(loaded),
        ms(searched)
    );
}
