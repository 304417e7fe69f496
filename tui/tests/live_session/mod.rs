//! A signed-in app and its gRPC client against the embedded demo server,
//! driven through keys like a user: shared by the live test files.

#![allow(dead_code)]

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use portal::action::{Action, AuthCall, Request};
use portal::app::{App, Phase};
use portal::client::{self, Client, Target};
use portal::keys::KeyMap;
use portal::theme::Theme;
use portal_proto::pb;
use tokio::sync::mpsc::UnboundedReceiver;

pub const WAIT: Duration = Duration::from_secs(30);

pub struct Session {
    pub app: App,
    pub client: Client,
    pub actions: UnboundedReceiver<Action>,
}

impl Session {
    /// Signed in as `email` with the demo password.
    pub fn new(url: &str, email: &str) -> Self {
        Self::starting(
            url,
            Request::Auth(AuthCall::Login {
                email: email.to_owned(),
                password: portal::demo::DEMO_PASSWORD.to_owned(),
                remember: false,
            }),
        )
    }

    /// An app whose first request is `first`.
    pub fn starting(url: &str, first: Request) -> Self {
        let target = Target {
            url: url.to_owned(),
            ca: None,
            use_keyring: false,
        };
        let (tx, actions) = tokio::sync::mpsc::unbounded_channel();
        let client = Client::new(client::channel(&target).expect("channel"), target, tx);
        let app = App::new(Theme::default(), KeyMap::default(), url.to_owned(), first);
        Self {
            app,
            client,
            actions,
        }
    }

    /// Runs requests and replies until `done` holds.
    pub async fn until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            for request in self.app.take_requests() {
                self.client.dispatch(request);
            }
            if done(&self.app) {
                return;
            }
            if tokio::time::Instant::now() >= deadline {
                let screen = self.screen();
                panic!(
                    "waited {WAIT:?} for {what}; status: {:?}; the screen:\n{screen}",
                    self.app.status.message
                );
            }
            // Ticks as the event loop gives them.
            match tokio::time::timeout(Duration::from_millis(100), self.actions.recv()).await {
                Ok(Some(action)) => self.app.handle_action(action),
                Ok(None) => panic!("the client stopped"),
                Err(_elapsed) => {
                    self.app.tick(chrono::Utc::now());
                }
            }
        }
    }

    /// Opens the first ticket of the Tickets tab, as Enter on it does.
    pub async fn open_newest_ticket(&mut self) {
        self.press(KeyCode::Char('2'));
        self.until("the list", |app| {
            main_of(app).is_some_and(|m| !m.tickets.rows.is_empty())
        })
        .await;
        self.press(KeyCode::Enter);
        self.until("the ticket", |app| open_detail(app).is_some())
            .await;
    }

    /// The screen as a user sees it at 80×24.
    pub fn screen(&mut self) -> String {
        let backend = ratatui::backend::TestBackend::new(80, 24);
        let mut terminal = ratatui::Terminal::new(backend).expect("terminal");
        terminal.draw(|f| self.app.render(f)).expect("draw");
        terminal.backend().to_string()
    }

    pub fn press(&mut self, code: KeyCode) {
        self.app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    }

    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    pub fn ctrl(&mut self, c: char) {
        self.app
            .handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    }
}

pub fn main_of(app: &App) -> Option<&portal::app::Main> {
    match &app.phase {
        Phase::Main(main) => Some(main),
        Phase::Login(_) => None,
    }
}

pub fn open_detail(app: &App) -> Option<&pb::TicketDetail> {
    main_of(app)?.detail()?.detail.as_ref()
}
