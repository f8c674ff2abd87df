//! A channel's sequenced feed, the one rule every transport delivers by: every stored change
//! of the channel after a starting point exactly once, in `seq` order, with no gap, then live,
//! interleaved with the channel's unsequenced frames (typing, who has it open).
//!
//! Live payloads come from the event bus, where concurrent writers publish in the order they
//! commit, not in `seq` order. A payload ahead of a missing `seq` is held for
//! [`REORDER_WAIT`] (at most [`REORDER_LIMIT`] of them); if the missing one has not arrived by
//! then, the feed reads the gap from the channel's log. A lagging subscription reads it at
//! once. Payloads at or below what was passed on are duplicates and dropped.
//!
//! `resume` on an open feed sends what the feed has not passed on yet, never again what it has:
//! the feed passed on `(delivered_from, last_seq]`, so a resume after `n` below that reads
//! `(n, delivered_from]` from the log (in order, between live frames, which go on), and a
//! resume at or above it asks for nothing. Repeated resumes thus cost one read of the history
//! at most, however many a client sends.
//!
//! After a change that may take the channel away from the caller (a member left, the channel
//! changed), the feed checks that the caller may still read it, and ends when not. It also
//! ends with the caller's session (see `session`): at the token's expiry, or when the session
//! ends on any node.

use super::Envelope;
use super::announce::rechecks_access;
use super::session::SessionWatch;
use crate::RealtimeContext;
use crate::auth::Authenticated;
use crate::channels::{self, ChatError};
use crate::messages::{self, EventPage};
use crate::ports::{ChannelChange, Delivery, Subscription, Topic};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tandem_domain::{Actor, Channel, ChannelAction, ChannelId};
use tokio::time::Instant;

/// How long a payload ahead of a missing `seq` waits for it before the feed reads the log.
pub const REORDER_WAIT: Duration = Duration::from_millis(200);
/// Payloads held ahead of a gap at most; beyond that, the feed reads the log at once.
pub const REORDER_LIMIT: usize = 256;

/// Why a feed ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedEnd {
    /// The bus shut down or the log could not be read: reconnect and resume.
    Unavailable,
    /// The caller may no longer read the channel.
    AccessLost,
    /// The caller's access token expired, or its session ended (logout, password change,
    /// deactivation): reconnect with a fresh token.
    SessionEnded,
}

type Pending<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// A feed in progress. Read it with [`ChannelFeed::next`].
pub struct ChannelFeed {
    ctx: Arc<RealtimeContext>,
    actor: Actor,
    channel_id: ChannelId,
    subscription: Subscription,
    session: SessionWatch,
    /// The last `seq` passed on.
    last_seq: i64,
    /// Every change in `(delivered_from, last_seq]` was passed on; the ones at or below it were
    /// not (unless a resume asked for them: see `backfill`).
    delivered_from: i64,
    /// Ranges `(after, until]` of the log that resumes asked for and that are still to read,
    /// oldest request first; the first advances as its pages are read.
    backfill: VecDeque<(i64, i64)>,
    backfilling: Option<Pending<Result<EventPage, ChatError>>>,
    /// Live payloads that arrived ahead of a missing `seq`, and since when one has been missing.
    ahead: BTreeMap<i64, Envelope>,
    gap_since: Option<Instant>,
    /// Frames ready to be passed on, in order.
    ready: VecDeque<Envelope>,
    catch_up_due: bool,
    reading: Option<Pending<Result<EventPage, ChatError>>>,
    recheck_due: bool,
    checking: Option<Pending<Result<(), ChatError>>>,
}

/// A feed just opened, and the channel as it was when it started.
pub struct OpenedFeed {
    pub feed: ChannelFeed,
    pub channel: Channel,
    /// Whether the caller may post in the channel now.
    pub can_post: bool,
}

impl ChannelFeed {
    /// Starts listening to `channel_id` for `caller`: subscribes, then reads the channel (so
    /// nothing published in between is missed), and checks the caller may see it. With
    /// `after_seq`, the stored changes after it come first; a `seq` from the future (a restored
    /// database) starts from the channel's latest instead of skipping what comes.
    ///
    /// # Errors
    /// `Invalid` for a negative `after_seq`, `NotFound` for channels the actor cannot see,
    /// `Port` when the bus or storage cannot be reached.
    pub async fn open(
        ctx: Arc<RealtimeContext>,
        caller: &Authenticated,
        channel_id: ChannelId,
        after_seq: Option<i64>,
    ) -> Result<OpenedFeed, ChatError> {
        let actor = caller.actor();
        if after_seq.is_some_and(|seq| seq < 0) {
            return Err(ChatError::invalid(
                "after_seq",
                "invalid_cursor",
                "must be 0 or more",
            ));
        }
        let subscription = ctx.bus.subscribe(&Topic::Channel(channel_id)).await?;
        let session = SessionWatch::start(&ctx, caller).await?;
        let loaded = channels::load(&ctx.chat, &actor, channel_id).await?;
        let can_post = loaded
            .access(&ctx.chat, &actor)
            .check(ChannelAction::Post)
            .is_ok();
        let current = loaded.channel.last_seq;
        let start = after_seq.map_or(current, |after| after.min(current));
        let feed = Self {
            ctx,
            actor,
            channel_id,
            subscription,
            session,
            last_seq: start,
            delivered_from: start,
            backfill: VecDeque::new(),
            backfilling: None,
            ahead: BTreeMap::new(),
            gap_since: None,
            ready: VecDeque::new(),
            catch_up_due: after_seq.is_some(),
            reading: None,
            recheck_due: false,
            checking: None,
        };
        Ok(OpenedFeed {
            feed,
            channel: loaded.channel,
            can_post,
        })
    }

    /// The last `seq` passed on (where a reconnecting client resumes).
    pub fn last_seq(&self) -> i64 {
        self.last_seq
    }

    /// Whether `resume(after_seq)` would read anything from the log.
    pub fn would_replay(&self, after_seq: i64) -> bool {
        after_seq.max(0) < self.delivered_from
    }

    /// Passes on the changes after `after_seq` that this feed has not passed on, in order,
    /// while live frames go on. Returns whether that asked for anything: a resume at or above
    /// where this feed started, or repeated, has nothing to add.
    pub fn resume(&mut self, after_seq: i64) -> bool {
        if !self.would_replay(after_seq) {
            return false;
        }
        let (after, until) = (after_seq.max(0), self.delivered_from);
        self.delivered_from = after;
        // A range not being read yet that this one continues grows instead of queueing another.
        let in_flight = self.backfilling.is_some() && self.backfill.len() == 1;
        match self.backfill.back_mut() {
            Some(last) if last.0 == until && !in_flight => last.0 = after,
            _ => self.backfill.push_back((after, until)),
        }
        true
    }

    /// The next frame: a stored change (with its `seq`) or an unsequenced one (`seq` 0).
    ///
    /// Cancel-safe: a read of the log or an access check in progress is kept and resumed by
    /// the next call, and nothing ready is lost, so this can be one branch of a `select!`.
    ///
    /// # Errors
    /// See [`FeedEnd`]. A feed that ended stays ended: drop it.
    pub async fn next(&mut self) -> Result<Envelope, FeedEnd> {
        loop {
            if self.recheck_due {
                let ctx = self.ctx.clone();
                let (actor, channel_id) = (self.actor.clone(), self.channel_id);
                let check = self.checking.get_or_insert_with(|| {
                    Box::pin(async move {
                        let loaded = channels::load(&ctx.chat, &actor, channel_id).await?;
                        Ok(loaded
                            .access(&ctx.chat, &actor)
                            .check(ChannelAction::Read)?)
                    })
                });
                let checked = check.await;
                self.checking = None;
                checked.map_err(|error| ended_by(&error))?;
                self.recheck_due = false;
            }
            if let Some(envelope) = self.ready.pop_front() {
                self.recheck_due = envelope.rechecks_access();
                return Ok(envelope);
            }
            if self.catch_up_due {
                let log = self.log_reader();
                let after = self.last_seq;
                let read = self
                    .reading
                    .get_or_insert_with(|| log.read(after, messages::events::MAX_EVENTS));
                let page = read.await;
                self.reading = None;
                self.caught_up(page.map_err(|error| ended_by(&error))?);
                continue;
            }
            if let Some(&(after, until)) = self.backfill.front() {
                let log = self.log_reader();
                let limit = u64::try_from(until - after)
                    .unwrap_or(0)
                    .min(messages::events::MAX_EVENTS);
                let read = self
                    .backfilling
                    .get_or_insert_with(|| log.read(after, limit));
                let page = read.await;
                self.backfilling = None;
                self.backfilled(page.map_err(|error| ended_by(&error))?);
                continue;
            }
            let deadline = self.gap_since.map(|since| since + REORDER_WAIT);
            tokio::select! {
                delivery = self.subscription.recv() => self.delivered(delivery)?,
                () = sleep_until(deadline) => self.catch_up_due = true,
                end = self.session.ended() => return Err(end),
            }
        }
    }

    fn log_reader(&self) -> LogReader {
        LogReader {
            ctx: Arc::clone(&self.ctx),
            actor: self.actor.clone(),
            channel_id: self.channel_id,
        }
    }

    fn delivered(&mut self, delivery: Option<Delivery>) -> Result<(), FeedEnd> {
        let bytes = match delivery {
            None => return Err(FeedEnd::Unavailable),
            Some(Delivery::Lagged { .. }) => {
                self.catch_up_due = true;
                return Ok(());
            }
            Some(Delivery::Payload(bytes)) => bytes,
        };
        let Some(envelope) = Envelope::open(bytes) else {
            return Ok(());
        };
        let seq = envelope.seq();
        if seq == 0 {
            self.ready.push_back(envelope);
        } else if seq == self.last_seq + 1 {
            self.last_seq = seq;
            self.ready.push_back(envelope);
            self.flush_ahead();
        } else if seq > self.last_seq {
            // Published out of order, before we subscribed, or lost on the way: wait briefly
            // for the missing ones, then read them from the log.
            self.ahead.insert(seq, envelope);
            self.gap_since.get_or_insert_with(Instant::now);
            if self.ahead.len() > REORDER_LIMIT {
                self.catch_up_due = true;
            }
        }
        Ok(())
    }

    /// Queues a page of the log; once it reaches the channel's latest, what was held and now
    /// follows goes out, and anything still ahead of a gap waits another [`REORDER_WAIT`]
    /// rather than sending the feed round again at once.
    fn caught_up(&mut self, page: EventPage) {
        let latest = page.last_seq;
        let last = self.queue(page, i64::MAX, true);
        if let Some(last) = last {
            self.last_seq = last;
        }
        if last.is_none_or(|last| last >= latest) {
            self.catch_up_due = false;
            self.flush_ahead();
            if !self.ahead.is_empty() {
                self.gap_since = Some(Instant::now());
            }
        }
    }

    /// Queues a page of a range a resume asked for; the range is done when the page reaches
    /// its end, or the log has nothing more.
    fn backfilled(&mut self, page: EventPage) {
        let Some(&(_, until)) = self.backfill.front() else {
            return;
        };
        match self.queue(page, until, false) {
            Some(last) if last < until => {
                if let Some(range) = self.backfill.front_mut() {
                    range.0 = last;
                }
            }
            _ => {
                self.backfill.pop_front();
            }
        }
    }

    /// Queues the frames of a page's changes up to `until`; returns the last `seq` read. Only
    /// live changes recheck access: a member leaving long ago says nothing about now.
    fn queue(&mut self, page: EventPage, until: i64, live: bool) -> Option<i64> {
        let messages: HashMap<_, _> = page.messages.iter().map(|m| (m.id, m)).collect();
        let mut last = None;
        for event in page.events {
            let seq = event.seq;
            if seq > until {
                break;
            }
            let rechecks = live && rechecks_access(event.kind);
            let change = ChannelChange {
                message: event
                    .message_id
                    .and_then(|id| messages.get(&id).copied().cloned()),
                channel: Some(page.channel.clone()),
                user: event
                    .user_id
                    .and_then(|id| page.users.iter().find(|u| u.id == id).cloned()),
                event,
            };
            if let Some(text) = self.ctx.frames.channel_change(change) {
                self.ready
                    .push_back(Envelope::sequenced(seq, None, rechecks, &text));
            }
            last = Some(seq);
        }
        last
    }

    /// Queues the held payloads that now follow `last_seq` without a gap; forgets those
    /// already passed on; closes the gap when nothing is held any more.
    fn flush_ahead(&mut self) {
        while let Some(entry) = self.ahead.first_entry() {
            let seq = *entry.key();
            if seq > self.last_seq + 1 {
                break;
            }
            let envelope = entry.remove();
            if seq == self.last_seq + 1 {
                self.ready.push_back(envelope);
                self.last_seq = seq;
            }
        }
        if self.ahead.is_empty() {
            self.gap_since = None;
        }
    }
}

/// What a read of the channel's log needs, owned, so the read can outlive a `next` call that
/// was cancelled and be picked up by the following one.
struct LogReader {
    ctx: Arc<RealtimeContext>,
    actor: Actor,
    channel_id: ChannelId,
}

impl LogReader {
    /// Up to `limit` stored changes after `after`.
    fn read(self, after: i64, limit: u64) -> Pending<Result<EventPage, ChatError>> {
        Box::pin(async move {
            messages::channel_events(
                &self.ctx.chat,
                &self.actor,
                self.channel_id,
                after,
                Some(limit),
            )
            .await
        })
    }
}

fn ended_by(error: &ChatError) -> FeedEnd {
    match error {
        ChatError::NotFound(_) | ChatError::Forbidden(_) => FeedEnd::AccessLost,
        other => {
            tracing::warn!(error = %other, "a channel feed could not read the channel");
            FeedEnd::Unavailable
        }
    }
}

/// Waits until `deadline`, or forever when there is none.
async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}
