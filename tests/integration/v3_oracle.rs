//! A small, independent model of SPEC v3 (docs: the v3 text, §2–§5) for the
//! websocket records the `webex` simulator writes: it reads a line, resolves
//! its event, runs the checks of §4 in their order and applies the table of
//! §3 (v2's rows, v3's rows, notices, late notifications, the snapshot).
//!
//! It shares no code with the crate: it is the test's oracle, written from the
//! spec's tables alone, so that a simulated day is checked against the
//! contract rather than against the simulator's own idea of it.

use serde_json::Value;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Idle,
    Ready,
    Reserved,
    Offered,
    Connected,
    Hold,
    Consulting,
    Consult,
    Conference,
    Ended,
    WrapUp,
}

use Phase::*;

impl Phase {
    fn live(self) -> bool {
        matches!(self, Connected | Hold | Consulting | Consult | Conference)
    }
    fn has_call(self) -> bool {
        !matches!(self, Idle | Ready)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Owner,
    Consulted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recording {
    Off,
    On,
    Paused,
}

/// §2's placements, as far as the oracle needs them: transition events by
/// number, call notices by number, agent notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ev {
    E(u8),
    N(u8),
    AgentNotice,
}

/// How an accepted record was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    Transition,
    /// A call notice, a "notice" row or a late notification (§3.3, §3.4).
    Notice,
    AgentNotice,
    /// A snapshot (§3.5): was callstate's state kept?
    Snapshot {
        kept: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejected {
    Malformed(&'static str),
    Unknown(String),
    OutOfOrder,
    AgentBusy,
    InteractionMismatch,
    AgentNotReady,
    NoActiveCall,
    Illegal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub phase: Phase,
    pub role: Role,
    pub recording: Recording,
    pub available: bool,
    pub call: Option<String>,
    pub finished: Option<String>,
    pub last: Option<i64>,
}

impl Default for Agent {
    fn default() -> Self {
        Agent {
            phase: Ready,
            role: Role::Owner,
            recording: Recording::Off,
            available: true,
            call: None,
            finished: None,
            last: None,
        }
    }
}

/// §2.1 and §2.2 names (lowercase) the oracle knows, with their placement.
fn placement(name: &str) -> Option<Ev> {
    let e = |n| Some(Ev::E(n));
    let n = |n| Some(Ev::N(n));
    match name {
        "agentavailable" | "available" | "ready" => e(1),
        "agentidle" | "idle" | "notready" | "agentlogoutsuccess" => e(2),
        "eagentoffercampaignreserved"
        | "agentoffercampaignreservation"
        | "eagentaddcampaignreserved"
        | "eagentcontactreserved"
        | "agentcontactreserved" => e(3),
        "eagentoffercontact" | "agentoffercontact" => e(4),
        "eagentoffercontactrona" | "agentoffercontactrona" => e(5),
        "custanswered" | "eagentcontactassigned" | "agentcontactassigned" => e(6),
        "ecallrecordingstarted" | "contactrecordingstarted" => e(7),
        "epauserecording" | "contactrecordingpaused" => e(8),
        "eresumerecording" | "contactrecordingresumed" => e(9),
        "eagentcontactheld" | "agentcontactheld" => e(10),
        "eagentcontactunheld" | "agentcontactunheld" => e(11),
        "eagentconsultcreated" | "agentconsultcreated" => e(12),
        "eagentconsulting" | "agentconsulting" => e(13),
        "eagentconsultfailed"
        | "agentconsultfailed"
        | "eagentctqfailed"
        | "agentctqfailed"
        | "eagentctqcancelled"
        | "agentctqcancelled" => e(14),
        "eagentconsultended" | "agentconsultended" => e(15),
        "eagentconsultconferenced" | "agentconsultconferenced" => e(16),
        "eagentconsultconferenceended" | "agentconsultconferenceended" => e(17),
        "eagentcontactended" | "contactended" | "agentcontactended" => e(18),
        "acw" | "eagentwrapup" | "agentwrapup" => e(19),
        "eagentcontactwrappedup" | "agentwrappedup" => e(20),
        "dropped" | "agentoutboundfailed" => e(21),
        "agentofferconsult" | "eagentofferconsult" => e(22),
        "agentcontactassignfailed" | "eagentcontactassignfailed" => e(23),
        "agentinvitefailed" | "eagentinvitefailed" => e(24),
        "agentcontactunassigned" | "eagentcontactunassigned" => e(25),
        "participantleftconference" | "eparticipantleftconference" => e(26),
        "agentleftconference" => e(27),
        "agentblindtransferred" | "eagentblindtransferred" => e(28),
        "agentvteamtransferred" | "eagentvteamtransferred" => e(29),
        "agentconsulttransferred" | "eagentconsulttransferred" => e(30),
        "agentconferencetransferred" | "eagentconferencetransferred" => e(31),
        "contactendedwrapup" => e(32),
        "contactendednowrapup" => e(33),
        "agentcontact" | "eagentcontact" => e(34),
        "agentcontactholdfailed" => n(1),
        "agentcontactunholdfailed" => n(2),
        "contactrecordingpausefailed" => n(3),
        "contactrecordingresumefailed" => n(4),
        "agentctqcancelfailed" => n(5),
        "agentconsultendfailed" => n(6),
        "agentconsultconferencing" => n(7),
        "agentconsultconferencefailed" => n(8),
        "agentconsultconferenceendfailed" => n(9),
        "participantjoinedconference" => n(10),
        "participantleftconferencefailed" => n(11),
        "participantdropconferencefailed" => n(12),
        "agentconferencetransferfailed" => n(13),
        "agentblindtransferfailed" => n(14),
        "agentvteamtransferfailed" => n(15),
        "agentconsulttransferring" => n(16),
        "agentconsulttransferfailed" => n(17),
        "consultedparticipantmoving" => n(18),
        "agentcontactendfailed" => n(19),
        "agentwrapupfailed" => n(20),
        "campaigncontactupdated" => n(21),
        "campaignpreviewacceptfailed" => n(22),
        "campaignpreviewskipfailed" => n(23),
        "campaignpreviewremovefailed" => n(24),
        "contactmerged" => n(25),
        "contactownerchanged" => n(26),
        "contactupdated" => n(27),
        "participantpostcallactivity" => n(28),
        "welcome"
        | "stationlogin"
        | "logout"
        | "agent_multi_login"
        | "agentstatechangefailed"
        | "agentstationloginfailed"
        | "agentreloginfailed"
        | "agentlogoutfailed"
        | "agentdnregistered"
        | "buddyagents"
        | "buddyagentsretrievefailed"
        | "wellnessbreak"
        | "real_time_transcription" => Some(Ev::AgentNotice),
        _ => None,
    }
}

/// §2.2: the phases a call notice is accepted in.
fn notice_phases(n: u8, p: Phase) -> bool {
    match n {
        1..=4 | 14 | 15 => p.live(),
        5 | 16 | 17 => matches!(p, Consulting | Consult),
        6 | 18 => matches!(p, Consulting | Consult | Conference),
        7 | 10 => matches!(p, Consult | Conference),
        8 => p == Consult,
        9 | 11..=13 => p == Conference,
        19 => p == Offered || p.live(),
        20 => p == WrapUp,
        21..=24 => p == Reserved,
        25..=27 => p.has_call(),
        28 => p.live() || matches!(p, Ended | WrapUp),
        _ => false,
    }
}

/// What a row of §3 does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    To(Phase),
    ToOwner(Phase),
    ToConsulted(Phase),
    Terminate,
    Rona,
    Notice,
    Record(Recording),
    Availability(bool),
}

/// §3.1 and §3.2, row by row (the snapshot apart).
fn row(p: Phase, role: Role, rec: Recording, e: u8) -> Option<Effect> {
    use Effect::*;
    let owner = role == Role::Owner;
    let consulted = role == Role::Consulted;
    let terminal_from = |phases: bool| phases.then_some(Terminate);
    Some(match (e, p) {
        (1, Idle | Ready) => To(Ready),
        (2, Idle | Ready) => To(Idle),
        (1, _) => Availability(true),
        (2, _) => Availability(false),
        (3, Ready) => To(Reserved),
        (3, Reserved) if owner => Notice,
        (4, Ready) => To(Offered),
        (4, Reserved) if owner => To(Offered),
        (5, Reserved | Offered) => Rona,
        (6, Offered | Reserved) if owner => To(Connected),
        (6, Consult) if consulted => ToOwner(Connected),
        (6, Connected | Hold) => Notice,
        (7, _) if p.live() && rec == Recording::Off => Record(Recording::On),
        (8, _) if p.live() && rec != Recording::Paused => Record(Recording::Paused),
        (9, _) if p.live() && rec == Recording::Paused => Record(Recording::On),
        (10, Connected) => To(Hold),
        (11, Hold) => To(Connected),
        (10 | 11, Consulting | Consult | Conference) => Notice,
        (12, Connected | Hold) if owner => To(Consulting),
        (13, Consulting) if owner => To(Consult),
        (13, Offered) if consulted => To(Consult),
        (14, Consulting) if owner => To(Hold),
        (15, Consulting | Consult) if owner => To(Hold),
        (15, Conference) if owner => To(Connected),
        (15, Offered | Consult | Conference) if consulted => Terminate,
        (16, Consult) => To(Conference),
        (17, Conference) if owner => To(Connected),
        (17, Conference) if consulted => Terminate,
        (18, Reserved) => Terminate,
        (18, _) if p == Offered || p.live() => To(Ended),
        (18, WrapUp) => Notice,
        (19, Ended) => To(WrapUp),
        (19, _) if p.live() => To(WrapUp),
        (19, WrapUp) => Notice,
        (20, WrapUp) => Terminate,
        (21, _) => terminal_from(p.has_call())?,
        (22, Ready | Reserved) => ToConsulted(Offered),
        (23 | 24, Reserved | Offered) => Terminate,
        (25, _) if p.live() => To(WrapUp),
        (26, Conference) => ToOwner(Connected),
        (26, Connected | Hold) => Notice,
        (27, Conference) => To(WrapUp),
        (27, WrapUp) => Notice,
        (28 | 29, Connected | Hold) if owner => To(WrapUp),
        (30, Consulting | Consult) if owner => To(WrapUp),
        (30, Consult) if consulted => ToOwner(Connected),
        (31, Conference) if owner => To(WrapUp),
        (31, Conference) if consulted => ToOwner(Connected),
        (31, Connected | Hold) if owner => Notice,
        (31, WrapUp) => Notice,
        (32, _) if p == Offered || p.live() || p == Ended => To(WrapUp),
        (33, _) if p == Offered || p.live() || p == Ended => Terminate,
        (32 | 33, WrapUp) => Notice,
        (32 | 33, Reserved) => Terminate,
        _ => return None,
    })
}

/// `v` at `path`, `null` counting as absent.
fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .filter(|v| !v.is_null())
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// One websocket record as §5 reads it.
#[derive(Debug)]
struct Read {
    ev: Ev,
    agent: Option<String>,
    interaction: Option<String>,
    reservation: Option<String>,
    time: Option<i64>,
}

fn string_at(data: &Value, key: &str) -> Result<Option<String>, Rejected> {
    match at(data, &[key]) {
        None => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(_) => Err(Rejected::Malformed("an id is not a non-empty string")),
    }
}

fn read(v: &Value) -> Result<Read, Rejected> {
    let data = v.get("data").filter(|d| d.is_object());
    let websocket =
        at(v, &["data", "type"]).is_some() || (at(v, &["type"]).is_some() && data.is_some());
    if !websocket || v.get("message").is_some() {
        return Err(Rejected::Malformed(
            "the oracle reads websocket records only",
        ));
    }
    let data = data.ok_or(Rejected::Malformed("no data"))?;
    let name = match at(data, &["type"]).or_else(|| at(v, &["type"])) {
        Some(Value::String(s)) => s.clone(),
        _ => return Err(Rejected::Malformed("no event name")),
    };
    let lower = name.to_ascii_lowercase();
    let agent = string_at(data, "agentId")?;
    let interaction = string_at(data, "interactionId")?;
    let state_message = matches!(
        lower.as_str(),
        "agentstatechange"
            | "agentstatechangesuccess"
            | "agentstationloginsuccess"
            | "agentreloginsuccess"
    );
    let time = match at(data, &["eventTime"]) {
        Some(t) => Some(
            t.as_i64()
                .ok_or(Rejected::Malformed("a time that is not an integer"))?,
        ),
        None if matches!(
            lower.as_str(),
            "agentstatechange" | "agentstatechangesuccess"
        ) =>
        {
            match at(data, &["lastStateChangeTimestamp"]) {
                Some(t) => Some(
                    t.as_i64()
                        .ok_or(Rejected::Malformed("a time that is not an integer"))?,
                ),
                None => None,
            }
        }
        None => None,
    };
    let ev = if state_message {
        match at(data, &["subStatus"])
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("available") => Ev::E(1),
            Some("idle") => Ev::E(2),
            _ if lower == "agentstatechange" => return Err(Rejected::Unknown(name)),
            _ => Ev::AgentNotice,
        }
    } else {
        match placement(&lower) {
            None => return Err(Rejected::Unknown(name)),
            Some(Ev::E(26)) => match at(data, &["participantId"]) {
                None => Ev::E(26),
                Some(Value::String(p)) if !p.is_empty() => {
                    if Some(p) == agent.as_ref() {
                        Ev::E(27)
                    } else {
                        Ev::E(26)
                    }
                }
                Some(_) => return Err(Rejected::Malformed("participantId")),
            },
            Some(Ev::E(18)) if lower != "contactendedwrapup" => {
                match at(data, &["agentsPendingWrapUp"]) {
                    None => Ev::E(18),
                    Some(Value::Array(list)) => {
                        let mut mine = false;
                        for x in list {
                            let s = x
                                .as_str()
                                .ok_or(Rejected::Malformed("agentsPendingWrapUp"))?;
                            mine |= Some(s) == agent.as_deref();
                        }
                        Ev::E(if mine { 32 } else { 33 })
                    }
                    Some(_) => return Err(Rejected::Malformed("agentsPendingWrapUp")),
                }
            }
            Some(ev) => ev,
        }
    };
    let reservation = if ev == Ev::E(6) {
        string_at(data, "reservationInteractionId")
            .map_err(|_| Rejected::Malformed("reservationInteractionId"))?
    } else {
        None
    };
    if agent.is_none() && ev != Ev::AgentNotice {
        return Err(Rejected::Malformed("no agent id"));
    }
    if matches!(ev, Ev::E(3 | 4 | 22 | 34)) && interaction.is_none() {
        return Err(Rejected::Malformed("no interaction id"));
    }
    Ok(Read {
        ev,
        agent,
        interaction,
        reservation,
        time,
    })
}

/// §3.5: the snapshot's phase (with its compatible phases) and role.
fn snapshot(
    data: &Value,
    agent: &str,
    interaction: &str,
) -> Option<(Phase, &'static [Phase], Role)> {
    let i = data.get("interaction").filter(|i| i.is_object());
    let get = |path: &[&str]| i.and_then(|i| at(i, path));
    let held = truthy(get(&["media", interaction, "isHold"]));
    let wrap_up =
        truthy(get(&["participants", agent, "isWrapUp"])) || truthy(get(&["isTerminated"]));
    let role = match get(&["owner"]).and_then(Value::as_str) {
        Some(o) if !o.is_empty() && o != agent => Role::Consulted,
        _ => Role::Owner,
    };
    let state = get(&["state"])
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    let (phase, compatible): (Phase, &'static [Phase]) = if wrap_up {
        (WrapUp, &[Ended, WrapUp])
    } else {
        match state.as_deref()? {
            "new" => (Offered, &[Reserved, Offered]),
            "connected" | "active" => (
                if held { Hold } else { Connected },
                &[Connected, Hold, Conference],
            ),
            "hold" | "held" => (Hold, &[Hold, Consulting, Consult]),
            "consulting" | "consult" => (Consult, &[Consulting, Consult]),
            "conference" => (Conference, &[Conference]),
            "wrapup" => (WrapUp, &[Ended, WrapUp]),
            _ => return None,
        }
    };
    Some((phase, compatible, role))
}

#[derive(Debug, Default)]
pub struct Oracle {
    pub agents: HashMap<String, Agent>,
}

impl Oracle {
    /// Judges one line and applies it if accepted.
    pub fn apply(&mut self, line: &str) -> Result<Accepted, Rejected> {
        let v: Value = serde_json::from_str(line).map_err(|_| Rejected::Malformed("not JSON"))?;
        if !v.is_object() {
            return Err(Rejected::Malformed("not an object"));
        }
        let r = read(&v)?;
        let Some(agent_id) = r.agent.clone() else {
            return Ok(Accepted::AgentNotice);
        };
        let a = self.agents.entry(agent_id.clone()).or_default();
        let Ev::E(34) = r.ev else {
            return judge(a, &r);
        };
        // §3.5: the snapshot.
        let iid = r.interaction.clone().unwrap_or_default();
        let data = v.get("data").cloned().unwrap_or(Value::Null);
        let (phase, compatible, role) =
            snapshot(&data, &agent_id, &iid).ok_or(Rejected::Illegal)?;
        let same = a.call.as_deref() == Some(iid.as_str());
        let kept =
            same && compatible.contains(&a.phase) && (a.role == role || phase == Phase::WrapUp);
        if !kept {
            let paused = truthy(at(
                &data,
                &["interaction", "callProcessingDetails", "isPaused"],
            ));
            let recording = truthy(at(
                &data,
                &["interaction", "callProcessingDetails", "recordInProgress"],
            ));
            if let Some(old) = a.call.take().filter(|c| *c != iid) {
                a.finished = Some(old);
            }
            a.recording = if paused {
                Recording::Paused
            } else if recording {
                Recording::On
            } else if same {
                a.recording
            } else {
                Recording::Off
            };
            a.phase = phase;
            a.role = role;
            a.call = Some(iid);
        }
        Ok(Accepted::Snapshot { kept })
    }
}

/// §4's checks in order, then §3's row.
fn judge(a: &mut Agent, r: &Read) -> Result<Accepted, Rejected> {
    if let (Some(t), Some(last)) = (r.time, a.last) {
        if t < last {
            return Err(Rejected::OutOfOrder);
        }
    }
    let e = match r.ev {
        Ev::AgentNotice => {
            a.last = r.time.or(a.last);
            return Ok(Accepted::AgentNotice);
        }
        Ev::E(n) => Some(n),
        Ev::N(_) => None,
    };
    let offers = matches!(e, Some(3 | 4 | 22));
    // §3.6: a re-keying E6 is checked as if it named the reservation.
    let rekey = match (&r.reservation, &r.interaction, &a.call) {
        (Some(res), Some(n), Some(held)) if e == Some(6) && res == held && n != held => {
            Some(n.clone())
        }
        _ => None,
    };
    let named = if rekey.is_some() {
        a.call.clone()
    } else {
        r.interaction.clone()
    };
    let names_other = matches!((&a.call, &named), (Some(held), Some(n)) if held != n);
    // Except E3/E4/E22 in `reserved` naming the held call (the table has rows).
    if offers && a.phase.has_call() && (a.phase != Reserved || names_other) {
        return Err(Rejected::AgentBusy);
    }
    if a.phase.has_call() && names_other && !matches!(e, Some(1 | 2)) {
        return Err(Rejected::InteractionMismatch);
    }
    if offers && a.phase == Idle {
        return Err(Rejected::AgentNotReady);
    }
    let needs_call = !matches!(e, Some(1 | 2 | 3 | 4 | 22));
    if needs_call && !a.phase.has_call() {
        // §3.4: late notifications of the finished call.
        let late = matches!(e, None | Some(15 | 17 | 18 | 19 | 20 | 25..=33));
        if late && named.is_some() && named == a.finished {
            a.last = r.time.or(a.last);
            return Ok(Accepted::Notice);
        }
        return Err(Rejected::NoActiveCall);
    }
    let effect = match (r.ev, e) {
        (Ev::N(n), _) => notice_phases(n, a.phase).then_some(Effect::Notice),
        (_, Some(n)) => row(a.phase, a.role, a.recording, n),
        _ => None,
    };
    let effect = effect.ok_or(Rejected::Illegal)?;
    a.last = r.time.or(a.last);
    let terminate = |a: &mut Agent| {
        a.phase = if a.available { Ready } else { Idle };
        a.role = Role::Owner;
        a.recording = Recording::Off;
        a.finished = a.call.take();
    };
    match effect {
        Effect::Notice => return Ok(Accepted::Notice),
        Effect::To(p) => a.phase = p,
        Effect::ToOwner(p) => {
            a.phase = p;
            a.role = Role::Owner;
        }
        Effect::ToConsulted(p) => {
            a.phase = p;
            a.role = Role::Consulted;
        }
        Effect::Terminate => terminate(a),
        Effect::Rona => {
            a.available = false;
            terminate(a);
        }
        Effect::Record(rec) => a.recording = rec,
        Effect::Availability(on) => a.available = on,
    }
    if matches!(effect, Effect::To(Ready) | Effect::To(Idle)) {
        a.available = effect == Effect::To(Ready);
    }
    if offers && a.call.is_none() {
        a.call = r.interaction.clone();
        if matches!(e, Some(3 | 4)) {
            a.role = if effect == Effect::ToConsulted(Offered) {
                Role::Consulted
            } else {
                Role::Owner
            };
        }
    }
    if let Some(n) = rekey {
        a.call = Some(n);
    }
    Ok(Accepted::Transition)
}
