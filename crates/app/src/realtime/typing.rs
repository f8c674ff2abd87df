//! Typing indicators: a person typing in a channel is announced when they start (again at
//! most once per half lifetime while they go on), and when they stop, send, leave, or fall
//! silent for the lifetime. Only people who may post are announced.

use crate::RealtimeContext;
use std::time::Duration;
use tandem_domain::{ChannelId, User};
use tokio::time::Instant;

/// One connection's typing state in one channel.
pub struct Typing {
    user: User,
    channel_id: ChannelId,
    may_post: bool,
    ttl: Duration,
    until: Option<Instant>,
    last_announced: Option<Instant>,
}

impl Typing {
    /// `ttl`: how long a start lasts without a refresh.
    pub fn new(user: User, channel_id: ChannelId, may_post: bool, ttl: Duration) -> Self {
        Self {
            user,
            channel_id,
            may_post,
            ttl,
            until: None,
            last_announced: None,
        }
    }

    /// The person is typing (a client repeats this every few seconds while they do).
    pub async fn start(&mut self, ctx: &RealtimeContext) {
        if !self.may_post {
            return;
        }
        let now = Instant::now();
        self.until = Some(now + self.ttl);
        // Throttled: one announcement per half lifetime is enough to keep it alive.
        let due = self
            .last_announced
            .is_none_or(|at| now.duration_since(at) >= self.ttl / 2);
        if due {
            self.last_announced = Some(now);
            self.announce(ctx, true).await;
        }
    }

    /// The person stopped typing.
    pub async fn stop(&mut self, ctx: &RealtimeContext) {
        if self.until.take().is_some() {
            self.last_announced = None;
            self.announce(ctx, false).await;
        }
    }

    /// The person sent a message: whatever they were typing is done.
    pub async fn sent(&mut self, ctx: &RealtimeContext) {
        if self.until.take().is_some() {
            self.announce(ctx, false).await;
        }
    }

    /// Ends a start that was not refreshed within its lifetime; call it every second or so.
    pub async fn expire(&mut self, ctx: &RealtimeContext) {
        if self.until.is_some_and(|until| until <= Instant::now()) {
            self.until = None;
            self.last_announced = None;
            self.announce(ctx, false).await;
        }
    }

    async fn announce(&self, ctx: &RealtimeContext, typing: bool) {
        ctx.announcer
            .typing(self.channel_id, &self.user, typing, self.ttl)
            .await;
    }
}
