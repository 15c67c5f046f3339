//! What happens to the agents: the flows of Webex CC calls, one episode at a
//! time, as the notifications each agent receives.
//!
//! An episode starts when an agent is free and runs to its end: a login, a
//! break, or a call with everything that happens on it — hold, recording,
//! consults from both sides, conferences, the four transfers, failed requests,
//! data-only updates, a relogin's snapshot — up to the wrap-up, and the
//! availability changes after it. An episode that needs a second agent claims
//! one that is free by then; if none is, the flow takes another turn.
//!
//! Every sequence is written for SPEC v3's table (§3), record for record, for
//! the agent who receives it; the comments name the rows.

use super::note::{Call, Kind, Note, Origin, Pending, Seen, State};
use super::LegTruth;
use crate::testing::simulate::rng::Rng;

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;

/// The offer's `ronaTimeout`, in seconds (also written into the payload).
pub(super) const RONA_TIMEOUT: i64 = 18;

/// One agent's day between episodes.
#[derive(Debug, Clone, Copy)]
pub(super) struct Desk {
    /// When the agent is free for its next episode.
    pub(super) free_at: i64,
    /// The time of its last notification (or its start).
    pub(super) clock: i64,
    pub(super) logged_in: bool,
    /// Its availability (`Available` or `Idle`).
    pub(super) available: bool,
}

/// One agent on one call.
#[derive(Debug, Clone, Copy)]
struct Leg {
    agent: u32,
    phase: State,
    /// The agent's role (SPEC v3 §1): offered the call as a consult, until
    /// it is handed the call.
    consulted: bool,
    truth: LegTruth,
}

/// One call as the platform holds it (shared by the agents on it).
#[derive(Debug, Clone, Copy)]
struct Ctx {
    call: Call,
    owner: u32,
    other: Option<u32>,
    other_joined: bool,
    other_left: bool,
    consult_leg: bool,
    held_since: Option<i64>,
    paused: bool,
    terminated: bool,
}

impl Ctx {
    fn new(call: Call, owner: u32) -> Ctx {
        Ctx {
            call,
            owner,
            other: None,
            other_joined: false,
            other_left: false,
            consult_leg: false,
            held_since: None,
            paused: false,
            terminated: false,
        }
    }

    fn seen(&self, leg: &Leg) -> (Call, Seen) {
        let seen = Seen {
            state: leg.phase,
            held_since: self.held_since,
            paused: self.paused,
            owner: self.owner,
            other: self.other,
            other_joined: self.other_joined,
            other_left: self.other_left,
            consult_leg: self.consult_leg,
            wrap_up: leg.phase == State::WrapUp,
            terminated: self.terminated,
        };
        (self.call, seen)
    }
}

/// Did the agent who started a turn of the call keep it?
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kept {
    /// Still on the call, `connected`.
    Stays,
    /// Its part is over (wrapped up, or transferred away).
    Gone,
}

/// The flows, writing notes for one episode.
pub(super) struct Script<'a> {
    pub(super) rng: &'a mut Rng,
    pub(super) desks: &'a mut [Desk],
    pub(super) out: &'a mut Vec<Note>,
    pub(super) legs: &'a mut Vec<LegTruth>,
    /// Agents taking part in this episode (not to be claimed again).
    pub(super) busy: Vec<u32>,
}

impl Script<'_> {
    /// The episode of agent `a`, which is free now.
    pub(super) fn episode(&mut self, a: u32) {
        self.busy.clear();
        self.busy.push(a);
        if !self.desks[a as usize].logged_in {
            return self.login(a);
        }
        let start = self.desks[a as usize].free_at + self.wait(2 * SECOND, 40 * SECOND);
        match self.rng.weighted(&[34, 12, 16, 12, 12, 5]) {
            0 => self.dialed(a, start, Origin::Inbound, 0),
            1 => self.dialed(a, start, Origin::Outdial, 0),
            2 => self.preview(a, start),
            3 => self.dialed(a, start, Origin::Progressive, 0),
            4 => self.dialed(a, start, Origin::Predictive, 0),
            _ => self.pause_for(a, start),
        }
    }

    // ------------------------------------------------------------ helpers

    fn wait(&mut self, lo: i64, hi: i64) -> i64 {
        self.rng.range(lo as u64, hi as u64) as i64
    }

    fn clock(&self, agent: u32) -> i64 {
        self.desks[agent as usize].clock
    }

    /// A note of `kind` for `agent` at `at` (or its clock, if later).
    fn note(&mut self, agent: u32, at: i64, kind: Kind) -> &mut Note {
        let desk = &mut self.desks[agent as usize];
        desk.clock = desk.clock.max(at);
        self.out.push(Note::new(desk.clock, agent, kind));
        let last = self.out.len() - 1;
        &mut self.out[last]
    }

    /// A note about the call, showing `ctx` as `leg` sees it.
    fn say(&mut self, ctx: &Ctx, leg: &Leg, at: i64, kind: Kind) -> &mut Note {
        let seen = ctx.seen(leg);
        let note = self.note(leg.agent, at, kind);
        note.call = Some(seen);
        note
    }

    /// An agent-state change (E1/E2 in every phase).
    fn state_change(&mut self, agent: u32, at: i64, available: bool) {
        self.desks[agent as usize].available = available;
        self.note(agent, at, Kind::AgentStateChangeSuccess)
            .available = available;
    }

    fn new_call(&mut self, origin: Origin, created: i64) -> Call {
        // Either a North American or an Indian number.
        let customer = if self.rng.chance(0.6) {
            10_000_000_000 + self.rng.range(2_000_000_000, 9_999_999_999)
        } else {
            910_000_000_000 + self.rng.range(6_000_000_000, 9_999_999_999)
        };
        Call {
            id: self.rng.next_u128(),
            reservation: None,
            customer,
            origin,
            created,
            queue: self.rng.below(4) as u8,
        }
    }

    fn leg(&self, agent: u32, call: &Call, offered: i64, consulted: bool) -> Leg {
        Leg {
            agent,
            phase: State::New,
            consulted,
            truth: LegTruth {
                agent,
                call: call.id,
                reservation: None,
                origin: call.origin,
                consulted,
                offered,
                answered: None,
                ended: None,
                wrapped_up: None,
            },
        }
    }

    /// A free agent by `at`, if one is found quickly; it joins the episode.
    fn claim(&mut self, at: i64) -> Option<u32> {
        for _ in 0..8 {
            let i = self.rng.below(self.desks.len() as u64) as u32;
            let desk = &self.desks[i as usize];
            if desk.logged_in && desk.free_at <= at && !self.busy.contains(&i) {
                self.busy.push(i);
                return Some(i);
            }
        }
        None
    }

    /// The leg's call is over for its agent: its truth is kept, and the agent
    /// rests before its next episode.
    fn finish(&mut self, leg: &Leg) {
        self.legs.push(leg.truth);
        self.rest(leg.agent);
    }

    /// Back to `Available` if the agent is not, or now and then a short break;
    /// then the agent is free.
    fn rest(&mut self, agent: u32) {
        let now = self.clock(agent);
        if !self.desks[agent as usize].available {
            let back = now + self.wait(30 * SECOND, 10 * MINUTE);
            self.state_change(agent, back, true);
        } else if self.rng.chance(0.06) {
            let away = now + self.wait(SECOND, 10 * SECOND);
            self.state_change(agent, away, false);
            let back = away + self.wait(2 * MINUTE, 15 * MINUTE);
            self.state_change(agent, back, true);
        }
        let desk = &mut self.desks[agent as usize];
        desk.free_at = desk.clock;
    }

    // ---------------------------------------------------- desktop episodes

    /// The start of the agent's day: the socket's `Welcome`, the station login
    /// (`Idle`, E2), then `Available` (E1).
    fn login(&mut self, a: u32) {
        let t = self.desks[a as usize].free_at;
        self.note(a, t, Kind::Welcome);
        let t = t + self.wait(300, SECOND);
        self.desks[a as usize].available = false;
        self.note(a, t, Kind::AgentStationLoginSuccess);
        let t = t + self.wait(5 * SECOND, MINUTE);
        self.state_change(a, t, true);
        let desk = &mut self.desks[a as usize];
        desk.logged_in = true;
        desk.free_at = desk.clock;
    }

    /// A break between calls: `Idle`, minutes later `Available`.
    fn pause_for(&mut self, a: u32, start: i64) {
        self.state_change(a, start, false);
        let back = start + self.wait(2 * MINUTE, 15 * MINUTE);
        self.state_change(a, back, true);
        let desk = &mut self.desks[a as usize];
        desk.free_at = desk.clock;
    }

    /// A relogin in the middle of the call: the socket's `Welcome`, the relogin
    /// answer with the agent's availability (E1/E2, no change), and the
    /// desktop's snapshot of the call (E34), which states the agent's phase.
    ///
    /// Not for an agent whose role the interaction's `owner` no longer shows
    /// (the former owner in wrap-up after handing the call over): SPEC v3
    /// would take the snapshot's role and report the state as differing.
    fn relogin(&mut self, ctx: &Ctx, leg: &Leg, at: i64) {
        if (ctx.owner != leg.agent) != leg.consulted {
            return;
        }
        self.note(leg.agent, at, Kind::Welcome);
        let t = at + self.wait(500, 2 * SECOND);
        let available = self.desks[leg.agent as usize].available;
        self.note(leg.agent, t, Kind::AgentReloginSuccess).available = available;
        let t = t + self.wait(100, SECOND);
        self.say(ctx, leg, t, Kind::AgentContact);
    }

    // ------------------------------------------------------------- offers

    /// A call reserved and offered to `a` (inbound, outdial, progressive,
    /// predictive; `depth` 1 for a call transferred to `a`), then its outcome.
    fn dialed(&mut self, a: u32, start: i64, origin: Origin, depth: u8) {
        let call = self.new_call(origin, start);
        self.offer(Ctx::new(call, a), a, start, depth);
    }

    /// E3 `AgentContactReserved` (ready → reserved), E4 `AgentOfferContact`
    /// (reserved → offered), then: answered (E6), RONA (E5), abandoned (E33),
    /// declined (E23), or a failed outdial (E21 and its late wrap-up).
    fn offer(&mut self, mut ctx: Ctx, a: u32, start: i64, depth: u8) {
        let mut leg = self.leg(a, &ctx.call, start, false);
        self.say(&ctx, &leg, start, Kind::AgentContactReserved);
        let t = start + self.wait(200, 1_500);
        self.say(&ctx, &leg, t, Kind::AgentOfferContact);
        let t = self.clock(a);
        let outcome = self.rng.below(100);
        let origin = ctx.call.origin;
        if origin == Origin::Outdial && outcome < 12 {
            // The customer is busy or does not answer: E21 terminates; the
            // platform keeps the task for a wrap-up (late notifications, §3.4).
            let failed = t + self.wait(5 * SECOND, 30 * SECOND);
            ctx.terminated = true;
            let reason = if outcome < 6 {
                ("CUSTOMER_BUSY", 1022)
            } else {
                ("NO_ANSWER", 1021)
            };
            self.say(&ctx, &leg, failed, Kind::AgentOutboundFailed)
                .reason = Some(reason);
            leg.truth.ended = Some(failed);
            leg.phase = State::WrapUp;
            let w = failed + self.wait(100, SECOND);
            self.say(&ctx, &leg, w, Kind::AgentWrapup);
            let done = w + self.wait(5 * SECOND, MINUTE);
            self.say(&ctx, &leg, done, Kind::AgentWrappedUp);
            leg.truth.wrapped_up = Some(done);
            return self.finish(&leg);
        }
        let (rona, abandon, decline) = match origin {
            Origin::Outdial => (0, 0, 3),
            Origin::Predictive => (2, 8, 1),
            _ => (6, 4, 2),
        };
        if outcome < rona {
            // Nobody answers: E5 terminates to idle, and the platform sets the
            // agent Idle.
            let at = t + RONA_TIMEOUT * SECOND;
            self.say(&ctx, &leg, at, Kind::AgentOfferContactRona);
            leg.truth.ended = Some(at);
            let idle = at + self.wait(100, SECOND);
            self.state_change(a, idle, false);
            return self.finish(&leg);
        }
        if outcome < rona + abandon {
            // The customer hangs up first: nobody wraps up (E33).
            let at = t + self.wait(SECOND, 15 * SECOND);
            ctx.terminated = true;
            self.say(&ctx, &leg, at, Kind::ContactEnded).pending = Some(Pending::Nobody);
            leg.truth.ended = Some(at);
            return self.finish(&leg);
        }
        if outcome < rona + abandon + decline {
            let at = t + self.wait(SECOND, 10 * SECOND);
            self.say(&ctx, &leg, at, Kind::AgentContactAssignFailed)
                .reason = Some(("USER_DECLINED", 156));
            leg.truth.ended = Some(at);
            return self.finish(&leg);
        }
        let ring = match origin {
            Origin::Predictive => self.wait(300, 1_500),
            Origin::Outdial => self.wait(5 * SECOND, 25 * SECOND),
            _ => self.wait(2 * SECOND, 12 * SECOND),
        };
        leg.phase = State::Connected;
        leg.truth.answered = Some(t + ring);
        self.say(&ctx, &leg, t + ring, Kind::AgentContactAssigned);
        self.talk(&mut ctx, &mut leg, depth);
    }

    /// A preview: `AgentOfferCampaignReservation` for reservation R (E3), the
    /// agent accepts — `CampaignContactUpdated` (N21), `AgentContactAssigned`
    /// under a new id N with `reservationInteractionId` R (E6 from reserved,
    /// re-keyed) — or skips or removes it (`CampaignContactUpdated`,
    /// `ContactEnded` with nobody pending wrap-up: E33) and gets the next one.
    fn preview(&mut self, a: u32, mut start: i64) {
        for round in 0..3 {
            let call = self.new_call(Origin::Preview, start);
            let mut ctx = Ctx::new(call, a);
            let mut leg = self.leg(a, &call, start, false);
            self.say(&ctx, &leg, start, Kind::AgentOfferCampaignReservation);
            let mut t = start + self.wait(5 * SECOND, 40 * SECOND);
            if round == 2 || self.rng.chance(0.72) {
                self.say(&ctx, &leg, t, Kind::CampaignContactUpdated);
                ctx.call.reservation = Some(ctx.call.id);
                ctx.call.id = self.rng.next_u128();
                leg.truth.call = ctx.call.id;
                leg.truth.reservation = ctx.call.reservation;
                leg.phase = State::Connected;
                let at = t + self.wait(3 * SECOND, 20 * SECOND);
                leg.truth.answered = Some(at);
                self.say(&ctx, &leg, at, Kind::AgentContactAssigned);
                return self.talk(&mut ctx, &mut leg, 0);
            }
            if self.rng.chance(0.1) {
                self.say(&ctx, &leg, t, Kind::CampaignPreviewSkipFailed)
                    .reason = Some(("SKIP_NOT_ALLOWED", 1400));
                t = self.clock(a) + self.wait(2 * SECOND, 5 * SECOND);
            }
            self.say(&ctx, &leg, t, Kind::CampaignContactUpdated);
            ctx.terminated = true;
            let at = self.clock(a) + self.wait(200, 2 * SECOND);
            self.say(&ctx, &leg, at, Kind::ContactEnded).pending = Some(Pending::Nobody);
            leg.truth.ended = Some(at);
            self.legs.push(leg.truth);
            start = self.clock(a) + self.wait(SECOND, 5 * SECOND);
        }
    }

    // ---------------------------------------------------------- the call

    /// The owner's call from `connected` to its end: a few moments (hold,
    /// recording, updates, failed requests, a relogin, a consult, a transfer),
    /// then the end and the wrap-up. A call that reached `a` by a transfer
    /// (`depth` 1) has no consult or transfer of its own.
    fn talk(&mut self, ctx: &mut Ctx, leg: &mut Leg, depth: u8) {
        let first = depth == 0;
        for _ in 0..self.rng.below(4) {
            let t = self.clock(leg.agent) + self.wait(15 * SECOND, 150 * SECOND);
            let weights = [
                30,
                20,
                12,
                10,
                6,
                if first { 16 } else { 0 },
                if first { 4 } else { 0 },
                if first { 4 } else { 0 },
            ];
            match self.rng.weighted(&weights) {
                0 => self.hold(ctx, leg, t),
                1 => self.recording(ctx, leg, t),
                2 => {
                    self.say(ctx, leg, t, Kind::ContactUpdated);
                }
                3 => self.failed_request(ctx, leg, t),
                4 => self.relogin(ctx, leg, t),
                5 => {
                    if self.consult(ctx, leg, t) == Kept::Gone {
                        return;
                    }
                }
                6 => return self.transfer(ctx, leg, t, Kind::AgentBlindTransferred),
                _ => return self.transfer(ctx, leg, t, Kind::AgentVteamTransferred),
            }
        }
        let t = self.clock(leg.agent) + self.wait(20 * SECOND, 300 * SECOND);
        self.hang_up(ctx, leg, t);
    }

    /// E10 held (connected → hold), E11 unheld (hold → connected); now and
    /// then a failed hold or unhold (N1, N2) or a relogin while held.
    fn hold(&mut self, ctx: &mut Ctx, leg: &mut Leg, mut t: i64) {
        if self.rng.chance(0.08) {
            self.say(ctx, leg, t, Kind::AgentContactHoldFailed).reason =
                Some(("MEDIA_ERROR", 1101));
            t = self.clock(leg.agent) + self.wait(2 * SECOND, 6 * SECOND);
        }
        leg.phase = State::Hold;
        ctx.held_since = Some(t);
        self.say(ctx, leg, t, Kind::AgentContactHeld);
        if self.rng.chance(0.08) {
            let at = self.clock(leg.agent) + self.wait(2 * SECOND, 10 * SECOND);
            self.relogin(ctx, leg, at);
        }
        let mut back = self.clock(leg.agent) + self.wait(10 * SECOND, 90 * SECOND);
        if self.rng.chance(0.06) {
            self.say(ctx, leg, back, Kind::AgentContactUnHoldFailed)
                .reason = Some(("MEDIA_ERROR", 1101));
            back = self.clock(leg.agent) + self.wait(2 * SECOND, 5 * SECOND);
        }
        leg.phase = State::Connected;
        ctx.held_since = None;
        self.say(ctx, leg, back, Kind::AgentContactUnheld);
    }

    /// E8 pause (recording on or off → paused), E9 resume (paused → on); now
    /// and then a failed pause or resume (N3, N4).
    fn recording(&mut self, ctx: &mut Ctx, leg: &mut Leg, mut t: i64) {
        if self.rng.chance(0.1) {
            self.say(ctx, leg, t, Kind::ContactRecordingPauseFailed)
                .reason = Some(("RECORDING_NOT_STARTED", 1301));
            t = self.clock(leg.agent) + self.wait(2 * SECOND, 5 * SECOND);
        }
        ctx.paused = true;
        self.say(ctx, leg, t, Kind::ContactRecordingPaused);
        let mut back = self.clock(leg.agent) + self.wait(10 * SECOND, 90 * SECOND);
        if self.rng.chance(0.1) {
            self.say(ctx, leg, back, Kind::ContactRecordingResumeFailed)
                .reason = Some(("RECORDING_ERROR", 1302));
            back = self.clock(leg.agent) + self.wait(2 * SECOND, 5 * SECOND);
        }
        ctx.paused = false;
        self.say(ctx, leg, back, Kind::ContactRecordingResumed);
    }

    /// A request that failed and changed nothing (call notices of a live call).
    fn failed_request(&mut self, ctx: &Ctx, leg: &Leg, t: i64) {
        let (kind, reason) = match self.rng.below(4) {
            0 => (Kind::AgentBlindTransferFailed, ("DESTINATION_BUSY", 1201)),
            1 => (Kind::AgentVteamTransferFailed, ("QUEUE_NOT_FOUND", 1202)),
            2 => (Kind::AgentContactEndFailed, ("MEDIA_ERROR", 1101)),
            _ => (Kind::AgentContactHoldFailed, ("MEDIA_ERROR", 1101)),
        };
        self.say(ctx, leg, t, kind).reason = Some(reason);
    }

    /// The end of a live call: the agent ends it (`AgentWrapup`, E19 from a
    /// live phase, then `ContactEnded` listing the agent: E32 in wrapUp, a
    /// notice) or the customer does (`ContactEnded`: E32 to wrapUp, then
    /// `AgentWrapup`: a notice); then the wrap-up.
    fn hang_up(&mut self, ctx: &mut Ctx, leg: &mut Leg, mut t: i64) {
        let pending = Some(Pending::Agent(leg.agent));
        if self.rng.chance(0.55) {
            if self.rng.chance(0.05) {
                self.say(ctx, leg, t, Kind::AgentContactEndFailed).reason =
                    Some(("MEDIA_ERROR", 1101));
                t = self.clock(leg.agent) + self.wait(2 * SECOND, 8 * SECOND);
            }
            leg.phase = State::WrapUp;
            leg.truth.ended = Some(t);
            ctx.held_since = None;
            self.say(ctx, leg, t, Kind::AgentWrapup);
            ctx.terminated = true;
            let at = t + self.wait(50, 800);
            self.say(ctx, leg, at, Kind::ContactEnded).pending = pending;
        } else {
            leg.phase = State::WrapUp;
            leg.truth.ended = Some(t);
            ctx.held_since = None;
            ctx.terminated = true;
            self.say(ctx, leg, t, Kind::ContactEnded).pending = pending;
            let at = t + self.wait(50, 500);
            self.say(ctx, leg, at, Kind::AgentWrapup);
        }
        if self.rng.chance(0.2) {
            let at = self.clock(leg.agent) + self.wait(200, 2 * SECOND);
            self.say(ctx, leg, at, Kind::ParticipantPostCallActivity);
        }
        self.wrap_up(ctx, leg);
    }

    /// In wrapUp: now and then the agent sets itself Idle (E2), a wrap-up
    /// request fails (N20), or a relogin shows the wrap-up; then
    /// `AgentWrappedUp` (E20) ends the call for the agent.
    fn wrap_up(&mut self, ctx: &Ctx, leg: &mut Leg) {
        let a = leg.agent;
        let done = self.clock(a) + self.wait(8 * SECOND, 120 * SECOND);
        if self.rng.chance(0.1) {
            let at = self.clock(a) + self.wait(SECOND, 5 * SECOND);
            self.state_change(a, at, false);
        }
        if self.rng.chance(0.05) {
            let at = self.clock(a) + self.wait(3 * SECOND, 6 * SECOND);
            self.say(ctx, leg, at, Kind::AgentWrapupFailed).reason =
                Some(("WRAPUP_CODE_MISSING", 1501));
        }
        if self.rng.chance(0.04) {
            let at = self.clock(a) + self.wait(SECOND, 3 * SECOND);
            self.relogin(ctx, leg, at);
        }
        let at = done.max(self.clock(a) + SECOND);
        self.say(ctx, leg, at, Kind::AgentWrappedUp);
        leg.truth.wrapped_up = Some(self.clock(a));
        self.finish(leg);
    }

    // ------------------------------------------- consult and conference

    /// The owner consults another agent. Owner A: E12 `AgentConsultCreated`
    /// (→ consulting), E13 `AgentConsulting` (→ consult). Consulted B: E3
    /// `AgentContactReserved` (ready → reserved), E22 `AgentOfferConsult`
    /// (→ offered, consulted), E13 `AgentConsulting` (→ consult). Then the
    /// consult ends (E15: A → hold, B done), becomes a conference, is
    /// transferred to B, or the customer hangs up.
    fn consult(&mut self, ctx: &mut Ctx, a: &mut Leg, t: i64) -> Kept {
        let Some(b) = self.claim(t + 2 * SECOND) else {
            return self.consult_unanswered(ctx, a, t);
        };
        ctx.other = Some(b);
        ctx.other_joined = false;
        ctx.other_left = false;
        ctx.consult_leg = true;
        ctx.held_since = ctx.held_since.or(Some(t));
        a.phase = State::Consulting;
        self.say(ctx, a, t, Kind::AgentConsultCreated).consulting = Some(a.agent);
        if self.rng.chance(0.15) {
            // The customer's leg held as part of the consult: a notice (E10 in
            // consulting).
            let at = t + self.wait(100, 600);
            self.say(ctx, a, at, Kind::AgentContactHeld);
        }
        let offered = t + self.wait(300, SECOND);
        let mut bl = self.leg(b, &ctx.call, offered, true);
        self.say(ctx, &bl, offered, Kind::AgentContactReserved)
            .consulting = Some(a.agent);
        let at = offered + self.wait(200, SECOND);
        self.say(ctx, &bl, at, Kind::AgentOfferConsult).consulting = Some(a.agent);
        if self.rng.chance(0.08) {
            // B does not answer: its offer times out (E5 from offered), and A's
            // consult fails (E14: consulting → hold).
            let rona = self.clock(b) + RONA_TIMEOUT * SECOND;
            self.say(ctx, &bl, rona, Kind::AgentOfferContactRona);
            bl.truth.ended = Some(rona);
            let idle = rona + self.wait(100, SECOND);
            self.state_change(b, idle, false);
            self.finish(&bl);
            ctx.other_left = true;
            ctx.consult_leg = false;
            a.phase = State::Hold;
            let at = rona + self.wait(100, 800);
            self.say(ctx, a, at, Kind::AgentConsultFailed).reason = Some(("RONA", 1601));
            return self.resume(ctx, a);
        }
        let answered = self.clock(b) + self.wait(3 * SECOND, 15 * SECOND);
        ctx.other_joined = true;
        a.phase = State::Consult;
        bl.phase = State::Consult;
        bl.truth.answered = Some(answered);
        self.say(ctx, a, answered, Kind::AgentConsulting);
        self.say(ctx, &bl, answered, Kind::AgentConsulting);
        if self.rng.chance(0.06) {
            let at = answered + self.wait(2 * SECOND, 10 * SECOND);
            self.relogin(ctx, &bl, at);
        }
        if self.rng.chance(0.05) {
            let at = self.clock(a.agent) + self.wait(2 * SECOND, 10 * SECOND);
            self.say(ctx, a, at, Kind::AgentConsultEndFailed).reason = Some(("MEDIA_ERROR", 1101));
        }
        let next = self.clock(a.agent).max(self.clock(b)) + self.wait(20 * SECOND, 150 * SECOND);
        match self.rng.weighted(&[40, 25, 20, 15]) {
            0 => {
                // E15 to both: A back to its held customer, B done.
                ctx.other_left = true;
                ctx.consult_leg = false;
                a.phase = State::Hold;
                self.say(ctx, a, next, Kind::AgentConsultEnded);
                self.say(ctx, &bl, next, Kind::AgentConsultEnded);
                bl.truth.ended = Some(next);
                self.finish(&bl);
                self.resume(ctx, a)
            }
            1 => self.conference(ctx, a, &mut bl, next),
            2 => self.consult_transfer(ctx, a, &mut bl, next),
            _ => {
                // The customer hangs up during the consult: A must wrap up
                // (E32 → wrapUp), B is not listed (E33 → done).
                ctx.terminated = true;
                ctx.held_since = None;
                a.phase = State::WrapUp;
                let pending = Some(Pending::Agent(a.agent));
                self.say(ctx, a, next, Kind::ContactEnded).pending = pending;
                self.say(ctx, &bl, next, Kind::ContactEnded).pending = pending;
                bl.truth.ended = Some(next);
                a.truth.ended = Some(next);
                self.finish(&bl);
                let at = next + self.wait(50, 500);
                self.say(ctx, a, at, Kind::AgentWrapup);
                self.wrap_up(ctx, a);
                Kept::Gone
            }
        }
    }

    /// A consult no agent answers (to a queue, nobody free): E12, then E14
    /// (consulting → hold), and the customer resumed.
    fn consult_unanswered(&mut self, ctx: &mut Ctx, a: &mut Leg, t: i64) -> Kept {
        ctx.held_since = ctx.held_since.or(Some(t));
        a.phase = State::Consulting;
        self.say(ctx, a, t, Kind::AgentConsultCreated);
        a.phase = State::Hold;
        let at = t + self.wait(15 * SECOND, 40 * SECOND);
        self.say(ctx, a, at, Kind::AgentConsultFailed).reason = Some(("NO_AGENT_AVAILABLE", 1602));
        self.resume(ctx, a)
    }

    /// The owner takes its held customer back: E11 (hold → connected).
    fn resume(&mut self, ctx: &mut Ctx, a: &mut Leg) -> Kept {
        let at = self.clock(a.agent) + self.wait(SECOND, 6 * SECOND);
        a.phase = State::Connected;
        ctx.held_since = None;
        self.say(ctx, a, at, Kind::AgentContactUnheld);
        Kept::Stays
    }

    /// The consult becomes a conference (both: N7 `AgentConsultConferencing`,
    /// E16 `AgentConsultConferenced`, N10 `ParticipantJoinedConference`), which
    /// ends in one of four ways: A ends it (E17: A → connected, B done); B
    /// leaves (`ParticipantLeftConference` naming B: E26 for A, E27 for B);
    /// A leaves (the same naming A: B stays and owns the call); or A transfers
    /// it (E31 to both, with `ParticipantLeftConference` naming A).
    fn conference(&mut self, ctx: &mut Ctx, a: &mut Leg, b: &mut Leg, t: i64) -> Kept {
        if self.rng.chance(0.6) {
            self.say(ctx, a, t, Kind::AgentConsultConferencing);
            self.say(ctx, b, t, Kind::AgentConsultConferencing);
        }
        let at = t + self.wait(200, 2 * SECOND);
        ctx.held_since = None;
        ctx.consult_leg = false;
        a.phase = State::Conference;
        b.phase = State::Conference;
        self.say(ctx, a, at, Kind::AgentConsultConferenced);
        self.say(ctx, b, at, Kind::AgentConsultConferenced);
        if self.rng.chance(0.7) {
            let joined = at + self.wait(100, 600);
            self.say(ctx, a, joined, Kind::ParticipantJoinedConference)
                .participant = Some(b.agent);
            self.say(ctx, b, joined, Kind::ParticipantJoinedConference)
                .participant = Some(b.agent);
        }
        if self.rng.chance(0.06) {
            let at = self.clock(b.agent) + self.wait(5 * SECOND, 30 * SECOND);
            self.relogin(ctx, b, at);
        }
        if self.rng.chance(0.1) {
            let (kind, reason) = match self.rng.below(4) {
                0 => (Kind::ParticipantLeftConferenceFailed, ("MEDIA_ERROR", 1101)),
                1 => (Kind::AgentConsultConferenceEndFailed, ("MEDIA_ERROR", 1101)),
                2 => (
                    Kind::AgentConferenceTransferFailed,
                    ("DESTINATION_BUSY", 1201),
                ),
                _ => (Kind::AgentConsultEndFailed, ("MEDIA_ERROR", 1101)),
            };
            let at = self.clock(a.agent) + self.wait(5 * SECOND, 30 * SECOND);
            self.say(ctx, a, at, kind).reason = Some(reason);
        }
        let end =
            self.clock(a.agent).max(self.clock(b.agent)) + self.wait(30 * SECOND, 300 * SECOND);
        match self.rng.weighted(&[30, 25, 20, 25]) {
            0 => {
                ctx.other_left = true;
                a.phase = State::Connected;
                self.say(ctx, a, end, Kind::AgentConsultConferenceEnded);
                self.say(ctx, b, end, Kind::AgentConsultConferenceEnded);
                b.truth.ended = Some(end);
                self.finish(b);
                Kept::Stays
            }
            1 => {
                ctx.other_left = true;
                a.phase = State::Connected;
                b.phase = State::WrapUp;
                self.left(ctx, a, b, b.agent, end);
                self.wrap_up_after(ctx, b, end);
                Kept::Stays
            }
            2 => {
                self.hand_over(ctx, a, b);
                self.left(ctx, a, b, a.agent, end);
                self.say(ctx, b, end, Kind::ContactOwnerChanged);
                self.wrap_up_after(ctx, a, end);
                self.talk(ctx, b, 1);
                Kept::Gone
            }
            _ => {
                self.hand_over(ctx, a, b);
                let after = end + self.wait(100, 800);
                if self.rng.chance(0.5) {
                    self.say(ctx, a, end, Kind::AgentConferenceTransferred);
                    self.say(ctx, b, end, Kind::AgentConferenceTransferred);
                    self.left(ctx, a, b, a.agent, after);
                } else {
                    self.left(ctx, a, b, a.agent, end);
                    self.say(ctx, a, after, Kind::AgentConferenceTransferred);
                    self.say(ctx, b, after, Kind::AgentConferenceTransferred);
                }
                self.say(ctx, b, after, Kind::ContactOwnerChanged);
                self.wrap_up_after(ctx, a, end);
                self.talk(ctx, b, 1);
                Kept::Gone
            }
        }
    }

    /// `ParticipantLeftConference` naming `who`, to both agents.
    fn left(&mut self, ctx: &Ctx, a: &Leg, b: &Leg, who: u32, at: i64) {
        self.say(ctx, a, at, Kind::ParticipantLeftConference)
            .participant = Some(who);
        self.say(ctx, b, at, Kind::ParticipantLeftConference)
            .participant = Some(who);
    }

    /// A leaves the call to B: A to wrap-up, B owns the call, `connected`.
    fn hand_over(&mut self, ctx: &mut Ctx, a: &mut Leg, b: &mut Leg) {
        ctx.owner = b.agent;
        b.consulted = false;
        ctx.other = Some(a.agent);
        ctx.other_left = true;
        ctx.held_since = None;
        ctx.consult_leg = false;
        a.phase = State::WrapUp;
        b.phase = State::Connected;
    }

    /// The agent left a call that goes on (in wrapUp already): `AgentWrapup`
    /// (a notice in wrapUp), then its wrap-up.
    fn wrap_up_after(&mut self, ctx: &Ctx, leg: &mut Leg, left: i64) {
        leg.truth.ended = Some(left);
        let at = self.clock(leg.agent) + self.wait(100, 800);
        self.say(ctx, leg, at, Kind::AgentWrapup);
        self.wrap_up(ctx, leg);
    }

    /// A consult transfer: N16 `AgentConsultTransferring`, then E30
    /// `AgentConsultTransferred` to both — A (owner, consult) to wrap-up, B
    /// (consulted, consult) becomes the owner, `connected` — and B goes on
    /// with the call (`ContactOwnerChanged`, sometimes a re-assignment E6: a
    /// notice in connected).
    fn consult_transfer(&mut self, ctx: &mut Ctx, a: &mut Leg, b: &mut Leg, mut t: i64) -> Kept {
        if self.rng.chance(0.1) {
            self.say(ctx, a, t, Kind::AgentConsultTransferFailed).reason =
                Some(("DESTINATION_BUSY", 1201));
            t = self.clock(a.agent) + self.wait(3 * SECOND, 10 * SECOND);
        }
        if self.rng.chance(0.5) {
            self.say(ctx, a, t, Kind::AgentConsultTransferring);
            self.say(ctx, b, t, Kind::AgentConsultTransferring);
        }
        let at = t + self.wait(0, 300);
        self.hand_over(ctx, a, b);
        self.say(ctx, a, at, Kind::AgentConsultTransferred);
        self.say(ctx, b, at, Kind::AgentConsultTransferred);
        let owner = at + self.wait(100, 600);
        self.say(ctx, b, owner, Kind::ContactOwnerChanged);
        if self.rng.chance(0.3) {
            let again = owner + self.wait(100, 600);
            self.say(ctx, b, again, Kind::AgentContactAssigned);
        }
        self.wrap_up_after(ctx, a, at);
        self.talk(ctx, b, 1);
        Kept::Gone
    }

    /// A blind transfer (E28) or a transfer to a queue (E29): the owner goes
    /// to wrap-up; the receiver, when one is free, gets the same interaction
    /// as a normal inbound call (E3, E4, E6, …).
    fn transfer(&mut self, ctx: &mut Ctx, a: &mut Leg, mut t: i64, kind: Kind) {
        if self.rng.chance(0.1) {
            let failed = match kind {
                Kind::AgentBlindTransferred => Kind::AgentBlindTransferFailed,
                _ => Kind::AgentVteamTransferFailed,
            };
            self.say(ctx, a, t, failed).reason = Some(("DESTINATION_BUSY", 1201));
            t = self.clock(a.agent) + self.wait(3 * SECOND, 10 * SECOND);
        }
        a.phase = State::WrapUp;
        ctx.held_since = None;
        self.say(ctx, a, t, kind);
        let queued = match kind {
            Kind::AgentBlindTransferred => self.wait(SECOND, 4 * SECOND),
            _ => self.wait(5 * SECOND, MINUTE),
        };
        let call = ctx.call;
        self.wrap_up_after(ctx, a, t);
        if let Some(b) = self.claim(t + queued) {
            let mut moved = call;
            moved.reservation = None;
            moved.queue = (call.queue + 1) % 4;
            self.offer(Ctx::new(moved, b), b, t + queued, 1);
        }
    }
}
