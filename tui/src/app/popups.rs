//! Popup answers: confirmations, picks and small forms sent to the server.

use portal_proto::pb::{self, TicketStatus};

use super::{App, EditTarget, Phase};
use crate::action::{AccountCall, AuthCall, Request, TicketCall};
use crate::ui::form::Field;
use crate::ui::popup::{Confirm, Outcome, Pick, Popup, Prompt, PromptPopup, expand_home};
use crate::ui::{Effects, Nav, TabId, account, users};

impl App {
    pub(super) fn on_popup(&mut self, outcome: Outcome, fx: &mut Effects) {
        match outcome {
            Outcome::Keep => {}
            Outcome::Close => {
                self.popups.pop();
            }
            Outcome::Open(popup) => self.popups.push(*popup),
            Outcome::Confirmed(what) => {
                self.popups.pop();
                self.on_confirm(&what, fx);
            }
            Outcome::Picked(what, index) => {
                self.popups.pop();
                self.on_pick(what, index, fx);
            }
            Outcome::Submitted => self.on_submit(fx),
            Outcome::ExternalEdit(i) => {
                if let Some(Popup::Prompt(p)) = self.popups.last() {
                    let text = p.form.fields.get(i).map(Field::value).unwrap_or_default();
                    self.edit = Some((EditTarget::Prompt(i), text));
                }
            }
        }
    }

    pub(super) fn on_confirm(&mut self, what: &Confirm, fx: &mut Effects) {
        match *what {
            Confirm::Logout => fx.send(AuthCall::Logout),
            Confirm::SetActive { contact_id, active } => {
                fx.send(AccountCall::SetActive { contact_id, active });
            }
            Confirm::ResetPassword { contact_id } => {
                fx.send(AccountCall::ResetPassword { contact_id })
            }
            Confirm::DiscardTicketForm => fx.nav = Some(Nav::TicketList),
            Confirm::DiscardPrompt => {
                self.popups.pop();
            }
            Confirm::DiscardProfile => {
                if let Phase::Main(main) = &mut self.phase {
                    main.account.editing = None;
                }
            }
        }
    }

    pub(super) fn on_pick(&mut self, what: Pick, index: usize, fx: &mut Effects) {
        let Phase::Main(main) = &mut self.phase else {
            return;
        };
        match what {
            Pick::Status { number, statuses } => {
                let Some(status) = statuses.get(index).copied() else {
                    return;
                };
                let current = main
                    .detail
                    .as_ref()
                    .and_then(|d| d.detail.as_ref())
                    .and_then(|d| d.ticket.as_ref())
                    .map(pb::Ticket::status);
                // A client sending completed work back must say why.
                if !main.me.staff
                    && current == Some(TicketStatus::Completed)
                    && status == TicketStatus::InProgress
                {
                    fx.popup = Some(Popup::Prompt(
                        PromptPopup::new(
                            format!("Reject completion of #{number}"),
                            Prompt::StatusNote { number, status },
                            vec![Field::multi("note", "What is still wrong?", "").required()],
                        )
                        .width(72),
                    ));
                } else {
                    fx.send(TicketCall::ChangeStatus {
                        number,
                        status,
                        note: String::new(),
                    });
                }
            }
            Pick::Sort(sorts) => {
                if let Some(sort) = sorts.get(index) {
                    let list = if main.tab == TabId::Triage {
                        &mut main.triage
                    } else {
                        &mut main.tickets
                    };
                    list.set_sort(*sort, fx);
                }
            }
            Pick::Subscriber {
                number,
                contact_ids,
            } => {
                if let Some(contact_id) = contact_ids.get(index) {
                    fx.send(TicketCall::AddSubscriber {
                        number,
                        contact_id: *contact_id,
                    });
                }
            }
            Pick::SaveAttachment(attachments) => {
                if let Some((attachment_id, name)) = attachments.get(index) {
                    let downloads = std::env::var("HOME")
                        .map(|h| format!("{h}/Downloads"))
                        .unwrap_or_default();
                    let dir = if std::path::Path::new(&downloads).is_dir() {
                        format!("{downloads}/")
                    } else {
                        String::new()
                    };
                    fx.popup = Some(Popup::Prompt(
                        PromptPopup::new(
                            format!("Save {name}"),
                            Prompt::SavePath {
                                attachment_id: *attachment_id,
                            },
                            vec![Field::line("path", "Save as", &format!("{dir}{name}"))],
                        )
                        .hint("Tab completes the path; an existing file is never overwritten")
                        .with_path_completion(),
                    ));
                }
            }
            Pick::Priority { number } => fx.send(TicketCall::SetPriority {
                number,
                priority: index as i32 + 1,
            }),
            Pick::Assign { number, staff_ids } => {
                if let Some(staff_id) = staff_ids.get(index) {
                    fx.send(TicketCall::Assign {
                        number,
                        staff_id: *staff_id,
                    });
                }
            }
            Pick::Task { number, tasks } => {
                if let Some((task_id, done)) = tasks.get(index) {
                    fx.send(TicketCall::SetTaskDone {
                        number,
                        task_id: *task_id,
                        done: !done,
                    });
                }
            }
            Pick::Level { contact_id, levels } => {
                if let Some(access) = levels.get(index) {
                    fx.send(AccountCall::SetAccess {
                        contact_id,
                        access: *access,
                    });
                }
            }
        }
    }

    /// A prompt's Ctrl-S: check it, then send it and keep it open (marked
    /// as sending) until the server answers.
    pub(super) fn on_submit(&mut self, fx: &mut Effects) {
        let Some(Popup::Prompt(prompt)) = self.popups.last_mut() else {
            return;
        };
        prompt.error = None;
        let form = &mut prompt.form;
        let request = match &prompt.what {
            Prompt::Post { number, kind } => {
                let body = form.raw("body").trim_end().to_owned();
                if body.trim().is_empty() {
                    form.set_error("body", "write something first");
                    None
                } else {
                    Some(Request::from(TicketCall::AddPost {
                        number: *number,
                        kind: *kind,
                        body,
                    }))
                }
            }
            Prompt::AddTask { number } => form.check_required().then(|| {
                Request::from(TicketCall::AddTask {
                    number: *number,
                    text: form.text("text"),
                })
            }),
            Prompt::Attach { number } => {
                let path = expand_home(form.raw("path").trim());
                if path.is_empty() {
                    form.set_error("path", "which file?");
                    None
                } else {
                    Some(Request::from(TicketCall::Upload {
                        number: *number,
                        path: path.into(),
                    }))
                }
            }
            Prompt::SavePath { attachment_id } => {
                let path = expand_home(form.raw("path").trim());
                if path.is_empty() {
                    form.set_error("path", "where to?");
                    None
                } else {
                    Some(Request::from(TicketCall::Download {
                        attachment_id: *attachment_id,
                        path: path.into(),
                    }))
                }
            }
            Prompt::StatusNote { number, status } => form.check_required().then(|| {
                Request::from(TicketCall::ChangeStatus {
                    number: *number,
                    status: *status,
                    note: form.text("note"),
                })
            }),
            Prompt::ForgotPassword => {
                let email = form.text("email");
                if email.contains('@') {
                    Some(Request::from(AuthCall::ForgotPassword { email }))
                } else {
                    form.set_error("email", "enter your e-mail");
                    None
                }
            }
            Prompt::RequestAccess => {
                let email = form.text("email");
                if email.contains('@') {
                    Some(Request::from(AuthCall::RequestAccess {
                        email,
                        message: form.text("message"),
                    }))
                } else {
                    form.set_error("email", "enter your e-mail");
                    None
                }
            }
            Prompt::ChangePassword => account::password_request(form).map(Request::from),
            Prompt::AddUser => users::add_user_request(form).map(Request::from),
            Prompt::EditUser { contact_id } => match &self.phase {
                Phase::Main(main) => {
                    match main.account.users.rows.iter().find(|c| c.id == *contact_id) {
                        Some(contact) => {
                            users::update_user_request(form, contact).map(Request::from)
                        }
                        None => None,
                    }
                }
                Phase::Login(_) => None,
            },
            Prompt::Filter => {
                if let Phase::Main(main) = &mut self.phase {
                    let list = if main.tab == TabId::Triage {
                        &mut main.triage
                    } else {
                        &mut main.tickets
                    };
                    if list.apply_filter_panel(form, &main.catalog, fx) {
                        self.popups.pop();
                    }
                }
                return;
            }
        };
        match request {
            Some(request) => {
                prompt.sending = true;
                fx.send(request);
            }
            None => prompt.form.focus_first_error(),
        }
    }
}
