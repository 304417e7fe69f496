//! The knowledge library and the account team (docs/KNOWLEDGE.md,
//! docs/ROLES.md).

use super::{Decision, Denied, allow_if, is_provider_admin, view_company};
use crate::domain::knowledge::ArticleScope;
use crate::domain::{Principal, StaffRole};

/// Which articles a caller lists: staff every one (archived ones when
/// asked for); a contact the public ones and its own company's, never an
/// archived one.
pub fn article_scope(p: &Principal, archived: bool) -> ArticleScope {
    match *p {
        Principal::Staff { .. } => ArticleScope::All { archived },
        Principal::Contact { company_id, .. } => ArticleScope::Client { company_id },
    }
}

/// Reading one article of `company_id` (`None`: public). Another company's
/// article, or an archived one, is to a contact as one that does not exist.
pub fn view_article(p: &Principal, company_id: Option<i64>, archived: bool) -> Decision {
    match *p {
        Principal::Staff { .. } => Ok(()),
        Principal::Contact {
            company_id: mine, ..
        } => {
            if archived || company_id.is_some_and(|c| c != mine) {
                Err(Denied::NotFound)
            } else {
                Ok(())
            }
        }
    }
}

/// Writing, editing and archiving articles: the provider's Admins and
/// Technicians, who know the fixes. Dispatchers triage and read only.
pub fn write_articles(p: &Principal) -> Decision {
    allow_if(
        matches!(
            p,
            Principal::Staff {
                role: StaffRole::Admin | StaffRole::Technician,
                ..
            }
        ),
        "only provider Admins and Technicians write articles",
    )
}

/// Reading a company's account team: as reading the company itself (its
/// contacts, and staff).
pub fn view_account_team(p: &Principal, company_id: i64) -> Decision {
    view_company(p, company_id)
}

/// Setting a company's account team: provider Admins.
pub fn set_account_team(p: &Principal) -> Decision {
    allow_if(
        is_provider_admin(p),
        "only provider Admins set a company's account team",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AccessLevel;

    fn contact(company_id: i64, access: AccessLevel) -> Principal {
        Principal::Contact {
            contact_id: 1,
            company_id,
            access,
        }
    }

    fn staff(role: StaffRole) -> Principal {
        Principal::Staff { staff_id: 1, role }
    }

    #[test]
    fn clients_read_public_and_own_articles_staff_all() {
        let admin = contact(10, AccessLevel::Admin);
        assert_eq!(view_article(&admin, None, false), Ok(()));
        assert_eq!(view_article(&admin, Some(10), false), Ok(()));
        assert_eq!(view_article(&admin, Some(11), false), Err(Denied::NotFound));
        assert_eq!(view_article(&admin, None, true), Err(Denied::NotFound));
        let dispatcher = staff(StaffRole::Dispatcher);
        assert_eq!(view_article(&dispatcher, Some(11), true), Ok(()));
        assert_eq!(
            article_scope(&admin, true),
            ArticleScope::Client { company_id: 10 }
        );
        assert_eq!(
            article_scope(&dispatcher, true),
            ArticleScope::All { archived: true }
        );
    }

    #[test]
    fn admins_and_technicians_write_articles_only_admins_set_teams() {
        assert!(write_articles(&staff(StaffRole::Admin)).is_ok());
        assert!(write_articles(&staff(StaffRole::Technician)).is_ok());
        assert!(write_articles(&staff(StaffRole::Dispatcher)).is_err());
        assert!(write_articles(&contact(10, AccessLevel::Admin)).is_err());
        assert!(set_account_team(&staff(StaffRole::Admin)).is_ok());
        assert!(set_account_team(&staff(StaffRole::Technician)).is_err());
        assert!(set_account_team(&contact(10, AccessLevel::Admin)).is_err());
        assert!(view_account_team(&contact(10, AccessLevel::User), 10).is_ok());
        assert_eq!(
            view_account_team(&contact(10, AccessLevel::Admin), 11),
            Err(Denied::NotFound)
        );
        assert!(view_account_team(&staff(StaffRole::Technician), 11).is_ok());
    }
}
