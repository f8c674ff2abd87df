//! The channel rules, exhaustively: every combination of organization role, channel role,
//! channel kind, archived, read-only, organization sanction, channel mute and organization, for
//! every action. The properties below are stated independently of [`RULES`]; a few hand-written
//! rows pin down what people meet every day.

use super::*;
use crate::channel::ChannelName;
use crate::{ChannelId, OrganizationId, UserId};
use chrono::Duration;

use ChannelAction as A;

#[derive(Debug, Clone, Copy)]
struct Case {
    org_role: Role,
    channel_role: Option<ChannelRole>,
    kind: ChannelKind,
    archived: bool,
    read_only: bool,
    sanction: Option<Sanction>,
    /// Muted in the channel until this many minutes from now (negative: expired).
    channel_mute: Option<i64>,
    same_organization: bool,
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-04T12:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

impl Case {
    fn plain() -> Self {
        Self {
            org_role: Role::Member,
            channel_role: Some(ChannelRole::Member),
            kind: ChannelKind::Public,
            archived: false,
            read_only: false,
            sanction: None,
            channel_mute: None,
            same_organization: true,
        }
    }

    fn check(&self, action: ChannelAction) -> Result<(), ChannelDenied> {
        self.with_access(|access| access.check(action))
    }

    /// Builds the actor, channel and membership the case describes and hands over their access.
    fn with_access<R>(&self, then: impl FnOnce(&ChannelAccess<'_>) -> R) -> R {
        let actor = Actor {
            id: UserId::new(2),
            organization_id: OrganizationId::new(if self.same_organization { 1 } else { 9 }),
            role: self.org_role,
        };
        let channel = Channel {
            id: ChannelId::new(1),
            organization_id: OrganizationId::new(1),
            name: ChannelName::parse("general").unwrap_or_else(|_| unreachable!()),
            description: None,
            kind: self.kind,
            created_by: UserId::new(1),
            created_at: now(),
            is_archived: self.archived,
            read_only: self.read_only,
            last_seq: 0,
        };
        let membership = self.channel_role.map(|role| Membership {
            channel_id: channel.id,
            user_id: actor.id,
            joined_at: now(),
            last_read_seq: 0,
            notify_level: crate::NotifyLevel::Default,
            muted: false,
            role,
            posting_muted_until: self.channel_mute.map(|m| now() + Duration::minutes(m)),
        });
        then(&ChannelAccess {
            actor: &actor,
            channel: &channel,
            membership: membership.as_ref(),
            sanction: self.sanction,
            now: now(),
        })
    }

    fn visible(&self) -> bool {
        self.same_organization
            && (self.kind == ChannelKind::Public || self.channel_role.is_some())
            && !matches!(self.sanction, Some(Sanction::Banned { until: None }))
    }

    fn muted(&self) -> bool {
        matches!(self.sanction, Some(Sanction::Muted { until: None }))
            || self.channel_mute.is_some_and(|m| m > 0)
    }
}

fn every_case() -> Vec<Case> {
    let in_past = Some(now() - Duration::minutes(1));
    let sanctions = [
        None,
        Some(Sanction::Muted { until: None }),
        Some(Sanction::Muted { until: in_past }),
        Some(Sanction::Banned { until: None }),
        Some(Sanction::Banned { until: in_past }),
    ];
    let mut cases = Vec::new();
    for org_role in [Role::Member, Role::Moderator, Role::Admin] {
        for channel_role in [None].into_iter().chain(ChannelRole::ALL.map(Some)) {
            for kind in [
                ChannelKind::Public,
                ChannelKind::Private,
                ChannelKind::Direct,
            ] {
                for archived in [false, true] {
                    for read_only in [false, true] {
                        for sanction in sanctions {
                            for channel_mute in [None, Some(30), Some(-30)] {
                                // Only members are muted in a channel.
                                if channel_role.is_none() && channel_mute.is_some() {
                                    continue;
                                }
                                for same_organization in [true, false] {
                                    cases.push(Case {
                                        org_role,
                                        channel_role,
                                        kind,
                                        archived,
                                        read_only,
                                        sanction,
                                        channel_mute,
                                        same_organization,
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    cases
}

#[test]
fn the_table_has_one_rule_per_action_in_declaration_order() {
    assert_eq!(RULES.len(), ChannelAction::ALL.len());
    for (i, action) in ChannelAction::ALL.into_iter().enumerate() {
        assert_eq!(RULES[i].action, action);
        assert_eq!(action.rule().action, action);
        assert_eq!(action as usize, i);
    }
}

#[test]
fn nothing_is_visible_outside_the_organization_to_the_banned_or_to_non_members_of_closed_channels()
{
    let cases = every_case();
    assert_eq!(cases.len(), 3 * (1 + 3 * 3) * 3 * 2 * 2 * 5 * 2);
    for case in cases.iter().filter(|c| !c.visible()) {
        for action in ChannelAction::ALL {
            assert_eq!(
                case.check(action),
                Err(ChannelDenied::Invisible),
                "{action:?} {case:?}"
            );
        }
    }
    for case in cases.iter().filter(|c| c.visible()) {
        assert_eq!(case.check(A::Read), Ok(()), "{case:?}");
    }
}

#[test]
fn an_expired_sanction_or_channel_mute_is_no_sanction() {
    for case in every_case() {
        let without = Case {
            sanction: case.sanction.filter(|s| {
                !matches!(
                    s,
                    Sanction::Muted { until: Some(_) } | Sanction::Banned { until: Some(_) }
                )
            }),
            channel_mute: case.channel_mute.filter(|m| *m > 0),
            ..case
        };
        for action in ChannelAction::ALL {
            assert_eq!(
                case.check(action),
                without.check(action),
                "{action:?} {case:?}"
            );
        }
    }
}

#[test]
fn more_say_never_allows_less() {
    let channel_roles = [None].into_iter().chain(ChannelRole::ALL.map(Some));
    let channel_roles: Vec<_> = channel_roles.collect();
    let org_roles = [Role::Member, Role::Moderator, Role::Admin];
    for case in every_case() {
        for action in ChannelAction::ALL {
            if case.check(action).is_err() {
                continue;
            }
            let ci = channel_roles.iter().position(|r| *r == case.channel_role);
            let oi = org_roles.iter().position(|r| *r == case.org_role);
            let (Some(ci), Some(oi)) = (ci, oi) else {
                unreachable!()
            };
            for &channel_role in &channel_roles[ci..] {
                for &org_role in &org_roles[oi..] {
                    let higher = Case {
                        channel_role,
                        org_role,
                        ..case
                    };
                    // Joining is for people who are not members yet; the others keep theirs.
                    if action == A::Join || (case.channel_role.is_none() && channel_role.is_some())
                    {
                        continue;
                    }
                    assert_eq!(higher.check(action), Ok(()), "{action:?} {higher:?}");
                }
            }
        }
    }
}

#[test]
fn direct_conversations_have_fixed_equal_members() {
    for case in every_case()
        .into_iter()
        .filter(|c| c.kind == ChannelKind::Direct && c.visible())
    {
        for action in [
            A::Join,
            A::AddMembers,
            A::RemoveMembers,
            A::Manage,
            A::AssignRoles,
            A::MuteMembers,
        ] {
            assert_eq!(
                case.check(action),
                Err(ChannelDenied::DirectIsFixed),
                "{action:?} {case:?}"
            );
        }
    }
}

#[test]
fn archived_channels_take_no_new_content_but_stay_manageable() {
    for case in every_case()
        .into_iter()
        .filter(|c| c.archived && c.visible())
    {
        for action in [
            A::Join,
            A::Post,
            A::React,
            A::Pin,
            A::AddMembers,
            A::MuteMembers,
        ] {
            assert!(case.check(action).is_err(), "{action:?} {case:?}");
        }
        let admin = Case {
            org_role: Role::Admin,
            ..case
        };
        if case.kind != ChannelKind::Direct {
            assert_eq!(admin.check(A::Manage), Ok(()), "{case:?}");
        }
    }
}

#[test]
fn the_muted_read_but_neither_post_react_nor_pin() {
    for case in every_case()
        .into_iter()
        .filter(|c| c.muted() && c.visible())
    {
        assert_eq!(case.check(A::Read), Ok(()), "{case:?}");
        for action in [A::Post, A::React, A::Pin, A::AddMembers] {
            let denied = case.check(action);
            assert!(denied.is_err(), "{action:?} {case:?}");
            if case.channel_role.is_some() && !case.archived && case.kind != ChannelKind::Direct {
                assert!(
                    matches!(denied, Err(ChannelDenied::Muted | ChannelDenied::MutedHere)),
                    "{action:?} {case:?}: {denied:?}"
                );
            }
        }
    }
}

#[test]
fn only_admins_post_in_read_only_channels_where_everyone_still_reacts() {
    for case in every_case().into_iter().filter(|c| {
        c.read_only && c.visible() && c.channel_role.is_some() && !c.archived && !c.muted()
    }) {
        let is_admin =
            case.channel_role == Some(ChannelRole::Admin) || case.org_role == Role::Admin;
        let post = case.check(A::Post);
        if is_admin {
            assert_eq!(post, Ok(()), "{case:?}");
        } else {
            assert_eq!(post, Err(ChannelDenied::ReadOnly), "{case:?}");
        }
        assert_eq!(case.check(A::React), Ok(()), "{case:?}");
    }
}

/// What a person meets in a public channel, written out by hand.
#[test]
fn everyday_rows() {
    let member = Case::plain();
    let reader = Case {
        channel_role: None,
        ..member
    };
    let channel_moderator = Case {
        channel_role: Some(ChannelRole::Moderator),
        ..member
    };
    let channel_admin = Case {
        channel_role: Some(ChannelRole::Admin),
        ..member
    };
    let org_moderator = Case {
        org_role: Role::Moderator,
        ..reader
    };
    let org_admin = Case {
        org_role: Role::Admin,
        ..reader
    };
    let ok = |case: Case, actions: &[ChannelAction]| {
        for action in ChannelAction::ALL {
            assert_eq!(
                case.check(action).is_ok(),
                actions.contains(&action),
                "{action:?} {case:?}"
            );
        }
    };
    ok(reader, &[A::Read, A::Join]);
    ok(
        member,
        &[A::Read, A::Join, A::Post, A::React, A::Pin, A::AddMembers],
    );
    ok(
        channel_moderator,
        &[
            A::Read,
            A::Join,
            A::Post,
            A::React,
            A::Pin,
            A::AddMembers,
            A::DeleteOthersMessages,
            A::MuteMembers,
        ],
    );
    ok(channel_admin, &ChannelAction::ALL);
    ok(
        org_moderator,
        &[A::Read, A::Join, A::DeleteOthersMessages, A::MuteMembers],
    );
    ok(
        org_admin,
        &[
            A::Read,
            A::Join,
            A::AddMembers,
            A::RemoveMembers,
            A::Manage,
            A::AssignRoles,
            A::DeleteOthersMessages,
            A::MuteMembers,
        ],
    );
    assert_eq!(reader.check(A::Post), Err(ChannelDenied::NotMember));
    assert_eq!(member.check(A::Manage), Err(ChannelDenied::NotManager));
    assert_eq!(
        member.check(A::DeleteOthersMessages),
        Err(ChannelDenied::NotModerator)
    );
    let announcement = Case {
        read_only: true,
        ..member
    };
    assert_eq!(announcement.check(A::Post), Err(ChannelDenied::ReadOnly));
    assert_eq!(announcement.check(A::Pin), Err(ChannelDenied::ReadOnly));
}

#[test]
fn muting_needs_more_say_than_the_muted() {
    let case = Case {
        channel_role: Some(ChannelRole::Moderator),
        ..Case::plain()
    };
    case.with_access(|access| {
        assert_eq!(access.check_over(A::MuteMembers, Standing::Member), Ok(()));
        for target in [Standing::Moderator, Standing::Admin] {
            assert_eq!(
                access.check_over(A::MuteMembers, target),
                Err(ChannelDenied::Outranked)
            );
        }
    });
    assert_eq!(
        Standing::of(Role::Admin, Some(ChannelRole::Member)),
        Standing::Admin
    );
    assert_eq!(Standing::of(Role::Member, None), Standing::Reader);
}

#[test]
fn channel_roles_parse_by_name() {
    for role in ChannelRole::ALL {
        assert_eq!(role.as_str().parse::<ChannelRole>(), Ok(role));
    }
    let bad = "owner".parse::<ChannelRole>().unwrap_err();
    assert_eq!(bad.code, "invalid_channel_role");
}

#[test]
fn permissions_doc_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/permissions.md");
    let rendered = rules_markdown();
    if std::env::var_os("TANDEM_BLESS").is_some() {
        std::fs::write(path, &rendered).unwrap_or_else(|e| panic!("writing {path}: {e}"));
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == rendered,
        "docs/permissions.md is stale: regenerate it with `TANDEM_BLESS=1 cargo test -p tandem-domain permissions_doc`"
    );
}
