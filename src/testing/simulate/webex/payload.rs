//! A [`Note`] written as the websocket frame Webex CC sends: the envelope
//! (`type`, `orgId`, `trackingId`, `data`), and for call notifications the whole
//! `interaction` object (about 3 kB), repeated in every one.
//!
//! Field names and paths are the Webex CC SDK's; the values are made up but
//! consistent: ids derive from the agent's and the call's bits, and the
//! interaction shows the call as its addressee sees it at that moment.

use super::note::{Call, Kind, Note, Origin, Pending, Seen, State};
use super::script::RONA_TIMEOUT;
use crate::testing::simulate::render::{boolean, id, int, raw, string, uuid, Case, Uuid};
use crate::testing::simulate::rng::derive;

/// Who the agents are, as the frames name them.
#[derive(Debug, Clone)]
pub(super) struct Names {
    pub(super) org: Uuid,
    /// Each agent's id bits and id.
    pub(super) agents: Vec<(u128, Uuid)>,
    /// Mixed into tracking ids.
    pub(super) salt: u64,
}

/// A queue (virtual team) calls go through.
struct Queue {
    id: &'static str,
    name: &'static str,
    entry_point: &'static str,
}

const QUEUES: [Queue; 4] = [
    Queue {
        id: "3a9f5c1e-7b2d-4e8a-9c6f-1d0e2b4a7c35",
        name: "Q_Billing",
        entry_point: "9d2b6f0a-4c8e-4a1b-b7d3-5e6f8a0c2d41",
    },
    Queue {
        id: "c81e4d2f-0a6b-4f9c-8e3d-7b5a1c9e0f62",
        name: "Q_Support_Tier1",
        entry_point: "1f7a3c5e-9b0d-4d2f-a6c8-e4b0d2f6a893",
    },
    Queue {
        id: "5e0b8a3c-6d1f-4b7e-9a2c-3f8d0e6b1a74",
        name: "Q_Sales_Outbound",
        entry_point: "7c4e0a2b-8f6d-4e1a-93b5-0d2c4e6a8f15",
    },
    Queue {
        id: "f2d6a0c4-3e8b-4a5d-b1f9-6c0e2a4d8b96",
        name: "Q_Collections",
        entry_point: "2b8d4f6a-0c2e-4f8b-8d1a-5c7e9b3d0f27",
    },
];

const SITE_ID: &str = "5729b45e-2913-4425-b5e2-0d730aa6db0a";
const TEAM_ID: &str = "56cf5b28-56b0-4905-9d49-6893257100b1";
const IDLE_CODE: &str = "a4f1c2d3-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const WORKFLOW_ID: &str = "662a86fb0bfd16265a6fb955";

/// Writes `note` as one line (ending in `\n`); `seq` makes its tracking ids.
pub(super) fn line(buf: &mut Vec<u8>, note: &Note, names: &Names, seq: u64) {
    match note.kind {
        Kind::Welcome => welcome(buf, note, names, seq),
        k if k.is_desktop() => desktop(buf, note, names, seq),
        _ => routing(buf, note, names, seq),
    }
    buf.push(b'\n');
}

fn agent(names: &Names, i: u32) -> &Uuid {
    &names.agents[i as usize].1
}

fn quoted(buf: &mut Vec<u8>, u: &Uuid) {
    buf.push(b'"');
    id(buf, u);
    buf.push(b'"');
}

fn head(buf: &mut Vec<u8>, envelope: &str, names: &Names, seq: u64) {
    raw(buf, r#"{"type":""#);
    raw(buf, envelope);
    raw(buf, r#"","orgId":""#);
    id(buf, &names.org);
    raw(buf, r#"","trackingId":"notifs_"#);
    id(buf, &uuid(derive(u128::from(seq), names.salt)));
    raw(buf, r#"","data":{"#);
}

fn welcome(buf: &mut Vec<u8>, note: &Note, names: &Names, seq: u64) {
    head(buf, "Welcome", names, seq);
    raw(buf, r#""agentId":""#);
    id(buf, agent(names, note.agent));
    raw(buf, r#""}}"#);
}

// ------------------------------------------------------------- desktop

/// An agent-state change, a station login or a relogin answer.
fn desktop(buf: &mut Vec<u8>, note: &Note, names: &Names, seq: u64) {
    let envelope = match note.kind {
        Kind::AgentStateChangeSuccess => "AgentStateChange",
        Kind::AgentStationLoginSuccess => "StationLogin",
        _ => "AgentReloginSuccess",
    };
    let (bits, me) = &names.agents[note.agent as usize];
    head(buf, envelope, names, seq);
    raw(buf, r#""type":""#);
    raw(buf, note.kind.name());
    raw(buf, r#"","eventType":"AgentDesktopMessage","agentId":""#);
    id(buf, me);
    raw(buf, r#"","agentSessionId":""#);
    id(buf, &uuid(derive(*bits, 0x5E5)));
    raw(buf, r#"","orgId":""#);
    id(buf, &names.org);
    raw(buf, r#"","trackingId":""#);
    id(buf, &uuid(derive(u128::from(seq), names.salt ^ 0xD)));
    raw(buf, r#"","status":"LoggedIn","subStatus":""#);
    raw(buf, if note.available { "Available" } else { "Idle" });
    raw(buf, r#"","auxCodeId":""#);
    raw(buf, if note.available { "0" } else { IDLE_CODE });
    // A relogin reports the time of the agent's last change, earlier than now.
    let changed = match note.kind {
        Kind::AgentReloginSuccess => note.time - 1_000 * (1 + (seq % 600) as i64),
        _ => note.time,
    };
    raw(buf, r#"","lastStateChangeTimestamp":"#);
    int(buf, changed);
    raw(buf, r#","lastIdleCodeChangeTimestamp":"#);
    int(buf, changed);
    raw(
        buf,
        r#","lastStateChangeReason":"","changedBy":null,"changedById":null,"changedByName":null"#,
    );
    if note.kind != Kind::AgentStateChangeSuccess {
        raw(buf, r#","teamId":""#);
        raw(buf, TEAM_ID);
        raw(buf, r#"","siteId":""#);
        raw(buf, SITE_ID);
        raw(buf, r#"","deviceType":"BROWSER","dn":"webrtc-"#);
        id(buf, me);
        raw(
            buf,
            r#"","profileType":"BLENDED","channelsMap":{"telephony":["#,
        );
        quoted(buf, &uuid(derive(*bits, 0xC4A)));
        raw(buf, r#"]},"roles":["agent"],"isExtension":false"#);
    }
    raw(buf, "}}");
}

// ------------------------------------------------------------- routing

fn routing(buf: &mut Vec<u8>, note: &Note, names: &Names, seq: u64) {
    let Some((call, seen)) = note.call else {
        // Every routing note carries its call; an empty one still parses.
        head(buf, "RoutingMessage", names, seq);
        raw(buf, "}}");
        return;
    };
    let me = agent(names, note.agent);
    let iid = uuid(call.id);
    head(buf, "RoutingMessage", names, seq);
    raw(buf, r#""type":""#);
    raw(buf, note.kind.name());
    raw(buf, r#"","eventType":"RoutingMessage","eventTime":"#);
    int(buf, note.time);
    raw(buf, r#","agentId":""#);
    id(buf, me);
    raw(buf, r#"","interactionId":""#);
    id(buf, &iid);
    raw(buf, r#"","mediaResourceId":""#);
    id(buf, &iid);
    raw(buf, r#"","orgId":""#);
    id(buf, &names.org);
    raw(buf, r#"","trackingId":""#);
    id(buf, &uuid(derive(u128::from(seq), names.salt ^ 0xD)));
    raw(buf, r#"","queueMgr":"aqm","owner":""#);
    id(buf, agent(names, seen.owner));
    raw(buf, r#"","destAgentId":""#);
    id(buf, me);
    buf.push(b'"');
    extras(buf, note, &call, names);
    raw(buf, r#","interaction":"#);
    interaction(buf, note, &call, &seen, names);
    raw(buf, "}}");
}

/// The fields of `data` that only some notifications carry.
fn extras(buf: &mut Vec<u8>, note: &Note, call: &Call, names: &Names) {
    if let (Kind::AgentContactAssigned, Some(r)) = (note.kind, call.reservation) {
        raw(buf, r#","reservationInteractionId":""#);
        id(buf, &uuid(r));
        buf.push(b'"');
    }
    if let Some(p) = note.participant {
        raw(buf, r#","participantId":""#);
        id(buf, agent(names, p));
        raw(buf, r#"","participantType":"Agent""#);
    }
    match note.pending {
        Some(Pending::Nobody) => raw(buf, r#","agentsPendingWrapUp":[]"#),
        Some(Pending::Agent(a)) => {
            raw(buf, r#","agentsPendingWrapUp":["#);
            quoted(buf, agent(names, a));
            buf.push(b']');
        }
        None => {}
    }
    if let Some(c) = note.consulting {
        raw(buf, r#","consultingAgentId":""#);
        id(buf, agent(names, c));
        raw(buf, r#"","consultMediaResourceId":""#);
        id(buf, &uuid(derive(call.id, 0xC0)));
        buf.push(b'"');
        if note.kind != Kind::AgentConsultCreated {
            raw(buf, r#","isConsulted":true"#);
        }
    }
    if matches!(note.kind, Kind::AgentOfferContact | Kind::AgentOfferConsult) {
        raw(buf, r#","ronaTimeout":"#);
        int(buf, RONA_TIMEOUT);
    }
    if let Some((reason, code)) = note.reason {
        raw(buf, r#","reason":"#);
        string(buf, reason, Case::AsIs);
        raw(buf, r#","reasonCode":"#);
        int(buf, i64::from(code));
    }
    match note.kind {
        Kind::AgentWrapup => raw(buf, r#","wrapUpRequired":true"#),
        Kind::AgentOfferCampaignReservation => raw(buf, r#","campaignId":"CMP_Renewals_Preview""#),
        _ => {}
    }
}

fn customer(buf: &mut Vec<u8>, call: &Call) {
    buf.push(b'+');
    int(buf, call.customer as i64);
}

fn quoted_customer(buf: &mut Vec<u8>, call: &Call) {
    buf.push(b'"');
    customer(buf, call);
    buf.push(b'"');
}

/// `"<s>"` for `true`/`false`, as `callProcessingDetails` spells booleans.
fn text_bool(buf: &mut Vec<u8>, b: bool) {
    raw(buf, if b { r#""true""# } else { r#""false""# });
}

/// The `interaction` object.
fn interaction(buf: &mut Vec<u8>, note: &Note, call: &Call, seen: &Seen, names: &Names) {
    let q = &QUEUES[usize::from(call.queue) % QUEUES.len()];
    let iid = uuid(call.id);
    raw(buf, r#"{"interactionId":""#);
    id(buf, &iid);
    raw(buf, r#"","orgId":""#);
    id(buf, &names.org);
    raw(
        buf,
        r#"","mediaType":"telephony","mediaChannel":"broadcloud","state":""#,
    );
    raw(buf, seen.state.wire());
    raw(buf, r#"","isTerminated":"#);
    boolean(buf, seen.terminated);
    raw(
        buf,
        r#","isFcManaged":false,"isMediaForked":false,"currentVTeam":""#,
    );
    raw(buf, q.id);
    raw(buf, r#"","previousVTeams":["#);
    if call.queue > 0 {
        buf.push(b'"');
        raw(buf, QUEUES[usize::from(call.queue - 1)].id);
        buf.push(b'"');
    }
    raw(buf, r#"],"createdTimestamp":"#);
    int(buf, call.created);
    raw(buf, r#","queuedTimestamp":"#);
    int(buf, call.created - 1_500);
    raw(buf, r#","mainInteractionId":""#);
    id(buf, &iid);
    raw(buf, r#"","parentInteractionId":""#);
    id(buf, &iid);
    raw(buf, r#"","owner":""#);
    id(buf, agent(names, seen.owner));
    raw(buf, r#"","contactDirection":{"type":""#);
    raw(
        buf,
        if call.origin == Origin::Inbound {
            "INBOUND"
        } else {
            "OUTBOUND"
        },
    );
    raw(buf, r#""},"outboundType":"#);
    raw(
        buf,
        match call.origin {
            Origin::Inbound => "null",
            Origin::Outdial => r#""OUTDIAL""#,
            Origin::Preview => r#""STANDARD_PREVIEW_CAMPAIGN""#,
            Origin::Progressive | Origin::Predictive => r#""CAMPAIGN""#,
        },
    );
    raw(
        buf,
        r#","callFlowParams":{"Language":{"name":"Language","valueDataType":"string","value":"en-US"}},"callProcessingDetails":"#,
    );
    processing(buf, note, call, seen, names, q);
    raw(buf, r#","participants":"#);
    participants(buf, note, call, seen, names, q);
    raw(buf, r#","media":"#);
    media(buf, call, seen, names);
    raw(buf, r#","workflowManager":null}"#);
}

/// `interaction.callProcessingDetails`: strings, as Webex CC sends them.
fn processing(buf: &mut Vec<u8>, note: &Note, call: &Call, seen: &Seen, names: &Names, q: &Queue) {
    raw(buf, r#"{"QueueId":""#);
    raw(buf, q.id);
    raw(buf, r#"","vteamId":""#);
    raw(buf, q.id);
    raw(buf, r#"","virtualTeamName":""#);
    raw(buf, q.name);
    raw(buf, r#"","EP_ID":""#);
    raw(buf, q.entry_point);
    raw(buf, r#"","entryPointId":""#);
    raw(buf, q.entry_point);
    raw(buf, r#"","ani":""#);
    customer(buf, call);
    raw(buf, r#"","displayAni":""#);
    customer(buf, call);
    raw(buf, r#"","dnis":"+18005550199","customerName":"Customer "#);
    int(buf, (call.customer % 10_000) as i64);
    raw(buf, r#"","ronaTimeout":""#);
    int(buf, RONA_TIMEOUT);
    raw(
        buf,
        r#"","pauseResumeEnabled":"true","recordingStarted":"true","recordInProgress":"#,
    );
    text_bool(buf, !seen.paused);
    raw(buf, r#","isPaused":"#);
    text_bool(buf, seen.paused);
    raw(
        buf,
        r#","pauseDuration":"30","ctqInProgress":"false","relationshipType":""#,
    );
    raw(
        buf,
        if seen.owner == note.agent {
            "primary"
        } else {
            "consult"
        },
    );
    raw(buf, r#"","consultDestinationAgentJoined":"#);
    text_bool(buf, seen.other_joined && !seen.other_left);
    raw(buf, r#","isConferencing":"#);
    text_bool(buf, seen.state == State::Conference);
    raw(
        buf,
        r#","BLIND_TRANSFER_IN_PROGRESS":false,"participantInviteTimeout":"false","CONTINUE_RECORDING_ON_TRANSFER":"true","isParked":"false","taskToBeSelfServiced":"false","checkAgentAvailability":"false","workflowName":"Main_Flow","workflowId":""#,
    );
    raw(buf, WORKFLOW_ID);
    raw(buf, r#"","tenantId":""#);
    id(buf, &names.org);
    buf.push(b'"');
    if call.origin == Origin::Outdial {
        raw(buf, r#","outdialAgentId":""#);
        id(buf, agent(names, seen.owner));
        buf.push(b'"');
    }
    let campaign = match call.origin {
        Origin::Preview => Some("preview_standard"),
        Origin::Progressive => Some("progressive"),
        Origin::Predictive => Some("predictive"),
        _ => None,
    };
    if let Some(kind) = campaign {
        raw(buf, r#","campaignId":"CMP_Renewals_"#);
        raw(buf, kind);
        raw(buf, r#"","campaignType":""#);
        raw(buf, kind);
        raw(
            buf,
            r#"","Campaign Group":"Renewals","LCMKey":"57|3|4|0|0|"#,
        );
        int(buf, (call.id % 97) as i64);
        raw(buf, r#"|2""#);
        if call.origin == Origin::Preview {
            raw(buf, r#","campaignPreviewOfferTimeout":""#);
            int(buf, call.created + 60_000);
            raw(
                buf,
                r#"","campaignPreviewAutoAction":"SKIP","campaignPreviewSkipDisabled":"false","campaignPreviewRemoveDisabled":"false""#,
            );
        }
    }
    buf.push(b'}');
}

/// `interaction.participants`, keyed by participant id: the customer, the
/// owner, and the second agent if there is one.
fn participants(
    buf: &mut Vec<u8>,
    note: &Note,
    call: &Call,
    seen: &Seen,
    names: &Names,
    q: &Queue,
) {
    let predial = seen.state == State::New;
    buf.push(b'{');
    quoted_customer(buf, call);
    raw(buf, r#":{"id":""#);
    customer(buf, call);
    raw(
        buf,
        r#"","pType":"Customer","type":"Customer","callerId":null,"hasJoined":"#,
    );
    boolean(buf, !predial);
    raw(buf, r#","hasLeft":"#);
    boolean(buf, seen.terminated);
    raw(buf, r#","isInPredial":"#);
    boolean(buf, predial);
    buf.push(b'}');
    let mut agents = [Some(seen.owner), seen.other];
    if agents[1] == agents[0] {
        agents[1] = None;
    }
    for who in agents.into_iter().flatten() {
        let is_other = Some(who) == seen.other && who != seen.owner;
        let joined = if is_other {
            seen.other_joined
        } else {
            !predial
        };
        let left = is_other && seen.other_left;
        let wrap_up = if who == note.agent {
            seen.wrap_up
        } else {
            left
        };
        buf.push(b',');
        let (bits, aid) = &names.agents[who as usize];
        quoted(buf, aid);
        raw(buf, r#":{"id":""#);
        id(buf, aid);
        raw(buf, r#"","pType":"Agent","type":"Agent","name":"Agent "#);
        int(buf, i64::from(who) + 1);
        raw(buf, r#"","dn":"webrtc-"#);
        id(buf, aid);
        raw(buf, r#"","channelId":""#);
        id(buf, &uuid(derive(*bits, 0xC4A)));
        raw(buf, r#"","siteId":""#);
        raw(buf, SITE_ID);
        raw(buf, r#"","teamId":""#);
        raw(buf, TEAM_ID);
        raw(buf, r#"","queueId":""#);
        raw(buf, q.id);
        raw(
            buf,
            r#"","queueMgrId":"aqm","autoAnswerEnabled":false,"hasJoined":"#,
        );
        boolean(buf, joined);
        raw(buf, r#","hasLeft":"#);
        boolean(buf, left);
        raw(buf, r#","isConsulted":"#);
        boolean(buf, is_other);
        raw(buf, r#","isInPredial":false,"isOffered":true,"isWrapUp":"#);
        boolean(buf, wrap_up);
        raw(buf, r#","isWrappedUp":false,"consultState":"#);
        raw(
            buf,
            match seen.state {
                State::Consulting => r#""consultInitiated""#,
                State::Consult => r#""consulting""#,
                State::Conference => r#""conferencing""#,
                _ => "null",
            },
        );
        raw(buf, r#","joinTimestamp":"#);
        int(buf, call.created);
        raw(buf, r#","wrapUpTimestamp":"#);
        if wrap_up {
            int(buf, note.time);
        } else {
            raw(buf, "null");
        }
        buf.push(b'}');
    }
    buf.push(b'}');
}

/// `interaction.media`, keyed by media id: the main call (keyed by the
/// interaction id) and, during a consult, the consult leg.
fn media(buf: &mut Vec<u8>, call: &Call, seen: &Seen, names: &Names) {
    let iid = uuid(call.id);
    let owner = agent(names, seen.owner);
    raw(buf, r#"{""#);
    id(buf, &iid);
    raw(buf, r#"":{"mediaResourceId":""#);
    id(buf, &iid);
    raw(
        buf,
        r#"","mediaType":"telephony","mediaMgr":"callmm","mType":"mainCall","participants":["#,
    );
    quoted_customer(buf, call);
    buf.push(b',');
    quoted(buf, owner);
    if let (Some(other), State::Conference) = (seen.other, seen.state) {
        buf.push(b',');
        quoted(buf, agent(names, other));
    }
    raw(buf, r#"],"isHold":"#);
    boolean(buf, seen.held_since.is_some());
    raw(buf, r#","holdTimestamp":"#);
    match seen.held_since {
        Some(t) => int(buf, t),
        None => raw(buf, "null"),
    }
    buf.push(b'}');
    if let (true, Some(other)) = (seen.consult_leg, seen.other) {
        let leg = uuid(derive(call.id, 0xC0));
        raw(buf, r#",""#);
        id(buf, &leg);
        raw(buf, r#"":{"mediaResourceId":""#);
        id(buf, &leg);
        raw(
            buf,
            r#"","mediaType":"telephony","mediaMgr":"callmm","mType":"consult","participants":["#,
        );
        quoted(buf, owner);
        buf.push(b',');
        quoted(buf, agent(names, other));
        raw(buf, r#"],"isHold":false,"holdTimestamp":null}"#);
    }
    buf.push(b'}');
}
