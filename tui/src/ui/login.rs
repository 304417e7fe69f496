//! Signing in: e-mail, masked password, remember me; the forced change of a
//! temporary password; forgot-password and request-access.

use crossterm::event::{KeyCode, KeyEvent};
use portal_proto::pb;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};

use super::form::{Field, FieldId, Form, FormEvent};
use super::popup::{Popup, PromptField, PromptPopup, Submit};
use super::{Effects, HelpLines, centered, plain_help};
use crate::action::{ApiError, AuthCall, Reply, Request};
use crate::local_files;
use crate::theme::Theme;

#[derive(Debug, Clone)]
pub enum Stage {
    /// Trying the remembered sign-in.
    Resuming,
    SignIn,
    /// A temporary password must be replaced before anything else.
    ChangePassword {
        current: String,
        policy: Option<pb::PasswordPolicy>,
    },
}

#[derive(Debug, Clone)]
pub struct Login {
    pub server: String,
    pub stage: Stage,
    pub form: Form,
    pub busy: bool,
    pub error: Option<String>,
    pub notice: Option<String>,
}

/// The sign-in form's fields.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SignInField {
    Email,
    Password,
    Remember,
    SignIn,
    Forgot,
    RequestAccess,
}

impl FieldId for SignInField {}

/// The fields of the forced change of a temporary password.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NewPasswordField {
    NewPassword,
    Repeat,
    Change,
}

impl FieldId for NewPasswordField {
    fn server_name(self) -> Option<&'static str> {
        (self == Self::NewPassword).then_some("new_password")
    }
}

fn sign_in_form() -> Form {
    let mut fields = vec![
        Field::line(SignInField::Email, "E-mail", ""),
        Field::secret(SignInField::Password, "Password"),
    ];
    // Remembering keeps the session in this machine's keyring.
    if local_files::check().is_ok() {
        fields.push(Field::toggle(SignInField::Remember, "Remember me", false));
    }
    fields.extend([
        Field::button(SignInField::SignIn, "Sign in"),
        Field::button(SignInField::Forgot, "Forgot password"),
        Field::button(SignInField::RequestAccess, "Request access"),
    ]);
    Form::new(fields)
}

fn change_form() -> Form {
    Form::new(vec![
        Field::secret(NewPasswordField::NewPassword, "New password").required(),
        Field::secret(NewPasswordField::Repeat, "Repeat it").required(),
        Field::button(NewPasswordField::Change, "Change password"),
    ])
}

impl Login {
    pub fn new(server: impl Into<String>, resuming: bool) -> Self {
        Self {
            server: server.into(),
            stage: if resuming {
                Stage::Resuming
            } else {
                Stage::SignIn
            },
            form: sign_in_form(),
            busy: resuming,
            error: None,
            notice: None,
        }
    }

    /// The server said the password must change first.
    pub fn must_change(&mut self, fx: &mut Effects) {
        let current = self.form.raw(SignInField::Password);
        self.stage = Stage::ChangePassword {
            current,
            policy: None,
        };
        self.form = change_form();
        self.busy = false;
        self.error = None;
        fx.send(AuthCall::PasswordPolicy);
    }

    pub fn help(&self) -> HelpLines {
        let mut lines = vec![
            plain_help("Tab/Shift-Tab", "next / previous field"),
            plain_help("Enter", "next field; on a button, press it"),
        ];
        if local_files::check().is_ok() {
            lines.push(plain_help("Space", "tick Remember me"));
        }
        lines.extend([
            plain_help("Ctrl-S", "sign in"),
            plain_help("F2", "forgot password"),
            plain_help("F3", "request access"),
            plain_help("Esc", "quit"),
        ]);
        lines
    }

    pub fn handle_key(&mut self, key: &KeyEvent, fx: &mut Effects) {
        if self.busy {
            if key.code == KeyCode::Esc {
                fx.quit = true;
            }
            return;
        }
        if matches!(self.stage, Stage::SignIn) {
            match key.code {
                KeyCode::F(2) => return self.forgot(fx),
                KeyCode::F(3) => return self.request_access(fx),
                _ => {}
            }
        }
        // Enter in the (last) password field signs in.
        let on_password = self.form.has_focus(SignInField::Password)
            || self.form.has_focus(NewPasswordField::Repeat);
        let event = self.form.handle_key(key);
        let submit = event == FormEvent::Submit || (on_password && key.code == KeyCode::Enter);
        let enter = key.code == KeyCode::Enter;
        if event == FormEvent::Cancel {
            fx.quit = true;
        } else if submit && enter && self.form.has_focus(SignInField::Forgot) {
            self.forgot(fx);
        } else if submit && enter && self.form.has_focus(SignInField::RequestAccess) {
            self.request_access(fx);
        } else if submit {
            self.submit(fx);
        }
    }

    fn forgot(&self, fx: &mut Effects) {
        let email = self.form.text(SignInField::Email);
        fx.popup = Some(Popup::Prompt(
            PromptPopup::new(
                "Forgot password",
                Submit::send(forgot_request),
                vec![Field::line(PromptField::Email, "E-mail", &email)],
            )
            .hint("Your company's Admin or the provider will be asked to reset it."),
        ));
    }

    fn request_access(&self, fx: &mut Effects) {
        let email = self.form.text(SignInField::Email);
        fx.popup = Some(Popup::Prompt(
            PromptPopup::new(
                "Request access",
                Submit::send(access_request),
                vec![
                    Field::line(PromptField::Email, "E-mail", &email).required(),
                    Field::multi(PromptField::Message, "Message", ""),
                ],
            )
            .hint("Who you are and what you need; an Admin will answer by e-mail."),
        ));
    }

    fn submit(&mut self, fx: &mut Effects) {
        self.form.clear_errors();
        self.error = None;
        self.notice = None;
        match &self.stage {
            Stage::Resuming => {}
            Stage::SignIn => {
                let email = self.form.text(SignInField::Email);
                if email.is_empty() {
                    self.form.set_error(SignInField::Email, "enter your e-mail");
                } else if !email.contains('@') {
                    self.form
                        .set_error(SignInField::Email, "not an e-mail address");
                }
                if self.form.raw(SignInField::Password).is_empty() {
                    self.form
                        .set_error(SignInField::Password, "enter your password");
                }
                if self.form.has_errors() {
                    self.form.focus_first_error();
                    return;
                }
                self.busy = true;
                fx.send(AuthCall::Login {
                    email,
                    password: self.form.raw(SignInField::Password),
                    remember: self.form.on(SignInField::Remember),
                });
            }
            Stage::ChangePassword { current, policy } => {
                let new = self.form.raw(NewPasswordField::NewPassword);
                if !self.form.check_required() {
                } else if new != self.form.raw(NewPasswordField::Repeat) {
                    self.form
                        .set_error(NewPasswordField::Repeat, "does not match");
                } else if let Some(policy) = policy {
                    let len = new.chars().count() as u32;
                    if len < policy.min_length {
                        self.form.set_error(
                            NewPasswordField::NewPassword,
                            format!("at least {} characters", policy.min_length),
                        );
                    } else if policy.max_length > 0 && len > policy.max_length {
                        self.form.set_error(
                            NewPasswordField::NewPassword,
                            format!("at most {} characters", policy.max_length),
                        );
                    }
                }
                if self.form.has_errors() {
                    self.form.focus_first_error();
                    return;
                }
                self.busy = true;
                fx.send(AuthCall::ChangeTempPassword {
                    current: current.clone(),
                    new,
                });
            }
        }
    }

    /// Replies meant for this screen.
    pub fn on_reply(&mut self, reply: &Reply) {
        match reply {
            Reply::NotRemembered { .. } => {
                self.stage = Stage::SignIn;
                self.busy = false;
            }
            Reply::PasswordPolicy(policy) => {
                if let Stage::ChangePassword { policy: slot, .. } = &mut self.stage {
                    *slot = Some(policy.clone());
                }
            }
            Reply::Failed { request, error } => {
                self.busy = false;
                if matches!(self.stage, Stage::Resuming) {
                    self.stage = Stage::SignIn;
                }
                match **request {
                    Request::Auth(AuthCall::Login { .. } | AuthCall::Resume) => {
                        self.error = Some(sign_in_error(error));
                        // Try again from an empty password.
                        self.form.set_text(SignInField::Password, "");
                        self.form.focus_on(SignInField::Password);
                    }
                    Request::Auth(AuthCall::Adopt { .. }) => {
                        self.error = Some(match error.code {
                            tonic::Code::Unauthenticated => {
                                "Your SSH key did not sign you in: sign in with your password."
                                    .to_owned()
                            }
                            _ => sign_in_error(error),
                        });
                        self.form.focus_on(SignInField::Email);
                    }
                    Request::Auth(AuthCall::ChangeTempPassword { .. }) => {
                        self.password_error(error);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// Each rule the new password broke, beside the field.
    fn password_error(&mut self, error: &ApiError) {
        if !self.form.place_error(error) {
            self.error = Some(error.text());
        }
    }

    pub fn render(&self, frame: &mut Frame, area: Rect, theme: &Theme) {
        let policy_lines = match &self.stage {
            Stage::ChangePassword {
                policy: Some(p), ..
            } => p.rules.len() as u16 + 2,
            Stage::ChangePassword { .. } => 2,
            _ => 0,
        };
        let rect = centered(area, 64, 16 + policy_lines);
        let title = match self.stage {
            Stage::ChangePassword { .. } => " Choose a new password ",
            _ => " Portal · sign in ",
        };
        let block = Block::bordered()
            .border_style(theme.focus_border)
            .title(Line::styled(title, theme.title));
        let inner = block.inner(rect);
        frame.render_widget(block, rect);
        let [server, policy, form, message, footer] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Length(policy_lines),
            Constraint::Fill(1),
            Constraint::Length(2),
            Constraint::Length(1),
        ])
        .areas(inner);
        let server_line = match self.stage {
            Stage::ChangePassword { .. } => {
                "Your password is temporary; choose your own to continue.".to_owned()
            }
            // Over SSH the server is the gateway's own loopback address.
            _ if crate::local_files::over_ssh() => "Signing in over SSH".to_owned(),
            _ => format!("Server {}", self.server),
        };
        frame.render_widget(
            Paragraph::new(Line::styled(server_line, theme.muted)),
            server,
        );
        if let Stage::ChangePassword { policy: p, .. } = &self.stage {
            let mut lines = vec![Line::styled("Password rules:", theme.accent)];
            match p {
                Some(p) => lines.extend(
                    p.rules
                        .iter()
                        .map(|r| Line::styled(format!(" • {r}"), theme.text)),
                ),
                None => lines.push(Line::styled(" loading…", theme.muted)),
            }
            frame.render_widget(Paragraph::new(lines), policy);
        }
        if matches!(self.stage, Stage::Resuming) {
            frame.render_widget(
                Paragraph::new(Line::styled("Signing in…", theme.text)),
                form,
            );
        } else {
            self.form.render(frame, form, theme, !self.busy);
        }
        let text = if let Some(e) = &self.error {
            Line::styled(e.clone(), theme.error)
        } else if self.busy {
            Line::styled("Please wait…", theme.muted)
        } else if let Some(n) = &self.notice {
            Line::styled(n.clone(), theme.warn)
        } else {
            Line::default()
        };
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), message);
        let pairs: &[(&str, &str)] = if matches!(self.stage, Stage::ChangePassword { .. }) {
            &[("Ctrl-S", " change password  "), ("Esc", " quit")]
        } else {
            &[
                ("Ctrl-S", " sign in  "),
                ("F2", " forgot  "),
                ("F3", " request access  "),
                ("Esc", " quit"),
            ]
        };
        let keys = Line::from(
            pairs
                .iter()
                .flat_map(|(k, what)| {
                    [
                        Span::styled(*k, theme.accent),
                        Span::styled(*what, theme.muted),
                    ]
                })
                .collect::<Vec<_>>(),
        );
        frame.render_widget(Paragraph::new(keys), footer);
    }
}

/// `account locked` → `Account locked.`
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// Wrong credentials, lockout and the rest, as a person should read them.
pub fn sign_in_error(error: &ApiError) -> String {
    match error.code {
        _ if error.is_connection() && error.message.contains("certificate") => error.text(),
        _ if error.is_connection() => {
            "Cannot reach the server. Check the address and try again.".to_owned()
        }
        tonic::Code::Unauthenticated if error.message.is_empty() => {
            "Wrong e-mail or password.".to_owned()
        }
        tonic::Code::Unauthenticated
        | tonic::Code::PermissionDenied
        | tonic::Code::ResourceExhausted
        | tonic::Code::FailedPrecondition => sentence(&error.message),
        _ => error.text(),
    }
}

/// The forgot-password prompt's request, once an e-mail is typed.
fn forgot_request(form: &mut Form) -> Option<AuthCall> {
    let email = form.text(PromptField::Email);
    if email.contains('@') {
        Some(AuthCall::ForgotPassword { email })
    } else {
        form.set_error(PromptField::Email, "enter your e-mail");
        None
    }
}

/// The request-access prompt's request, once an e-mail is typed.
fn access_request(form: &mut Form) -> Option<AuthCall> {
    let email = form.text(PromptField::Email);
    if email.contains('@') {
        Some(AuthCall::RequestAccess {
            email,
            message: form.text(PromptField::Message),
        })
    } else {
        form.set_error(PromptField::Email, "enter your e-mail");
        None
    }
}
