//! Popup answers: a confirmation or pick does what its screen said
//! ([`Then`]); a small form is checked and sent to the server.

use super::{App, EditTarget, Phase};
use crate::ui::Effects;
use crate::ui::form::Field;
use crate::ui::popup::{Outcome, Popup, Submit, Then};

impl App {
    pub(super) fn on_popup(&mut self, outcome: Outcome, fx: &mut Effects) {
        match outcome {
            Outcome::Keep => {}
            Outcome::Close => {
                self.popups.pop();
            }
            Outcome::Open(popup) => self.popups.push(*popup),
            Outcome::Then(then) => {
                self.popups.pop();
                self.then(then, fx);
            }
            Outcome::Submitted => self.on_submit(fx),
            Outcome::ExternalEdit(i) => {
                if let Some(Popup::Prompt(p)) = self.popups.last() {
                    let text = p.form.fields.get(i).map(Field::value).unwrap_or_default();
                    self.ask_editor(EditTarget::Prompt(i), text, fx);
                }
            }
        }
    }

    /// Does what the screen that opened a confirmation or picker asked for.
    fn then(&mut self, then: Then, fx: &mut Effects) {
        match then {
            Then::Send(request) => fx.send(*request),
            Then::Open(popup) => fx.popup = Some(*popup),
            Then::Nav(nav) => fx.nav = Some(nav),
            Then::Quit => fx.quit = true,
            Then::Close => {}
            Then::CloseBelow => {
                self.popups.pop();
            }
            Then::Answer(answer) => {
                let Phase::Main(main) = &mut self.phase else {
                    return;
                };
                let shared = main.shared();
                let ctx = shared.ctx(&self.theme, &self.keys, self.now);
                main.screen(main.tab).on_answer(answer, &ctx, fx);
            }
        }
    }

    /// A prompt's Ctrl-S: the prompt's own check makes the request, which is
    /// sent while the prompt stays open (marked as sending) until the server
    /// answers; or the screen under it takes the form.
    pub(super) fn on_submit(&mut self, fx: &mut Effects) {
        let Some(Popup::Prompt(prompt)) = self.popups.last_mut() else {
            return;
        };
        prompt.error = None;
        match prompt.submit.clone() {
            Submit::Send(make) => match make(&mut prompt.form) {
                Some(request) => {
                    prompt.sent = Some(Box::new(request.clone()));
                    fx.send(request);
                }
                None => prompt.form.focus_first_error(),
            },
            Submit::ToScreen => {
                let Phase::Main(main) = &mut self.phase else {
                    return;
                };
                let shared = main.shared();
                let ctx = shared.ctx(&self.theme, &self.keys, self.now);
                if main.screen(main.tab).on_form(&mut prompt.form, &ctx, fx) {
                    self.popups.pop();
                    self.status.clear_error();
                }
            }
        }
    }
}
