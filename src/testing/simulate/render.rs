//! The three record shapes of SPEC §5, written by hand into a reused buffer.
//!
//! Fixed JSON text is copied as is; ids are hex written from their bits; the only
//! free-form strings (event names in odd case) go through [`string`], which
//! escapes. Every line ends in `\n` and holds no other newline.

use super::flow::{Call, Mode};
use super::rng::{derive, Rng};
use crate::model::vocabulary::{Event, Phase};
pub(crate) use crate::wire::Shape;
use strum::{EnumCount, IntoEnumIterator};

/// A UUID's 36 characters (version 4, RFC 4122 variant).
pub(crate) type Uuid = [u8; 36];

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `bits` as a version-4 UUID, lowercase.
pub(crate) fn uuid(bits: u128) -> Uuid {
    let bits = (bits & !(0xF << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62);
    let mut out = [b'-'; 36];
    let mut nibble = 0;
    for (i, slot) in out.iter_mut().enumerate() {
        if !matches!(i, 8 | 13 | 18 | 23) {
            *slot = HEX[((bits >> (124 - 4 * nibble)) & 0xF) as usize];
            nibble += 1;
        }
    }
    out
}

/// The UUID's text (all ASCII by construction).
pub(crate) fn uuid_str(id: &Uuid) -> &str {
    std::str::from_utf8(id).unwrap_or_else(|_| unreachable!("a UUID is ASCII hex"))
}

/// How an event name's letters are cased on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    /// As spelled in SPEC §2.
    AsIs,
    /// All lowercase (`eagentoffercontact`).
    Lower,
    /// All uppercase (`AGENTWRAPUP`).
    Upper,
    /// One letter's case flipped (`eCallRecordingstarted`).
    Flip(usize),
}

impl Case {
    fn apply(self, i: usize, b: u8, len: usize) -> u8 {
        match self {
            Case::AsIs => b,
            Case::Lower => b.to_ascii_lowercase(),
            Case::Upper => b.to_ascii_uppercase(),
            Case::Flip(k) if k % len.max(1) == i && b.is_ascii_uppercase() => {
                b.to_ascii_lowercase()
            }
            Case::Flip(k) if k % len.max(1) == i => b.to_ascii_uppercase(),
            Case::Flip(_) => b,
        }
    }

    /// Usually [`Case::AsIs`]; with probability `p` an odd one.
    pub(crate) fn odd(rng: &mut Rng, p: f64) -> Case {
        if !rng.chance(p) {
            return Case::AsIs;
        }
        match rng.below(3) {
            0 => Case::Lower,
            1 => Case::Upper,
            _ => Case::Flip(rng.below(32) as usize),
        }
    }
}

/// An event as spelled on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Name {
    /// An event name (canonical, alias, or unknown).
    Event(&'static str, Case),
    /// A websocket `AgentStateChange` with this `subStatus`.
    StateChange(&'static str, Case),
}

/// How each event may be spelled: canonical name, aliases, and the names the
/// websocket notifications use (the aliases without the SDK's `e` prefix).
#[derive(Debug, Clone)]
pub(crate) struct Names {
    aliases: Vec<Vec<&'static str>>,
    socket: Vec<Vec<&'static str>>,
}

impl Names {
    /// The spellings of SPEC §2, read from [`Event::aliases`].
    pub(crate) fn new() -> Names {
        let aliases: Vec<Vec<&'static str>> =
            Event::iter().map(|e| e.aliases().collect()).collect();
        let socket = Event::iter()
            .zip(&aliases)
            .map(|(e, all)| {
                let plain: Vec<&'static str> = all
                    .iter()
                    .copied()
                    .filter(|a| a.starts_with(|c: char| c.is_ascii_uppercase()))
                    .collect();
                if plain.is_empty() {
                    vec![e.name()]
                } else {
                    plain
                }
            })
            .collect();
        debug_assert_eq!(aliases.len(), Event::COUNT);
        Names { aliases, socket }
    }

    /// The `data.type` a websocket routing message gives `event`.
    pub(crate) fn socket_type(&self, event: Event) -> &'static str {
        if event.is_availability() {
            return crate::model::vocabulary::AGENT_STATE_CHANGE;
        }
        self.socket[event as usize][0]
    }

    /// A spelling of `event` for a line of `shape`: mostly the shape's usual name,
    /// sometimes an alias, now and then in odd case.
    pub(crate) fn spell(&self, event: Event, shape: Shape, rng: &mut Rng) -> Name {
        if shape == Shape::Websocket && event.is_availability() && rng.chance(0.8) {
            let sub = match event {
                Event::AgentAvailable => "Available",
                _ => "Idle",
            };
            return Name::StateChange(sub, Case::odd(rng, 0.15));
        }
        let i = event as usize;
        let word = match (shape, rng.below(100)) {
            (Shape::Websocket, 0..=69) => rng.pick(&self.socket[i]),
            (_, 0..=79) => event.name(),
            _ if !self.aliases[i].is_empty() => rng.pick(&self.aliases[i]),
            _ => event.name(),
        };
        Name::Event(word, Case::odd(rng, 0.04))
    }
}

/// Who an agent is, as the records show it.
#[derive(Debug, Clone)]
pub(crate) struct AgentIds {
    /// The agent id's bits (other ids are derived from them).
    pub(crate) bits: u128,
    /// The agent id.
    pub(crate) id: Uuid,
    /// 1-based number, for the display name.
    pub(crate) number: u32,
}

impl AgentIds {
    /// The agent's phone number (10 digits), derived from its id.
    fn ani(&self) -> u64 {
        1_000_000_000 + (derive(self.bits, 0xA11) as u64) % 9_000_000_000
    }
}

/// Everything one line says.
#[derive(Debug, Clone)]
pub(crate) struct View<'a> {
    /// The agent.
    pub(crate) agent: &'a AgentIds,
    /// Leave the agent id out (a malformed-record fault).
    pub(crate) omit_agent: bool,
    /// The event as spelled.
    pub(crate) name: Name,
    /// `data.type` of a routing message (the envelope's inner notification).
    pub(crate) routing_type: &'static str,
    /// `subStatus` when the event is an availability change.
    pub(crate) sub_status: Option<&'static str>,
    /// The interaction the record names.
    pub(crate) interaction: Option<Uuid>,
    /// The call the agent holds, for the envelope's details.
    pub(crate) call: Option<Call>,
    /// Milliseconds since the epoch.
    pub(crate) time: i64,
    /// The phase after the event.
    pub(crate) phase: Phase,
    /// The dialing mode, on offers.
    pub(crate) mode: Option<Mode>,
    /// Write `ronaTimeout` on a native line (the other shapes always carry it).
    pub(crate) rona_timeout: bool,
}

/// Writes one line of `shape` for `view`, ending in `\n`.
pub(crate) fn line(buf: &mut Vec<u8>, shape: Shape, view: &View<'_>, org: &Uuid, rng: &mut Rng) {
    match shape {
        Shape::Native => native(buf, view),
        Shape::Websocket => websocket(buf, view, org, rng),
        Shape::Envelope => envelope(buf, view, org, rng),
    }
}

pub(crate) fn raw(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(s.as_bytes());
}

pub(crate) fn id(buf: &mut Vec<u8>, id: &Uuid) {
    buf.extend_from_slice(id);
}

fn quoted_id(buf: &mut Vec<u8>, value: Option<&Uuid>) {
    match value {
        Some(v) => {
            buf.push(b'"');
            id(buf, v);
            buf.push(b'"');
        }
        None => raw(buf, "null"),
    }
}

pub(crate) fn int(buf: &mut Vec<u8>, n: i64) {
    if n < 0 {
        buf.push(b'-');
    }
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut u = n.unsigned_abs();
    loop {
        i -= 1;
        digits[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

pub(crate) fn boolean(buf: &mut Vec<u8>, b: bool) {
    raw(buf, if b { "true" } else { "false" });
}

/// `s` in `case`, as a JSON string (quoted, escaped).
pub(crate) fn string(buf: &mut Vec<u8>, s: &str, case: Case) {
    buf.push(b'"');
    for (i, b) in s.bytes().enumerate() {
        match case.apply(i, b, s.len()) {
            b'"' => raw(buf, "\\\""),
            b'\\' => raw(buf, "\\\\"),
            c if c < 0x20 => {
                raw(buf, "\\u00");
                buf.push(HEX[usize::from(c >> 4)]);
                buf.push(HEX[usize::from(c & 0xF)]);
            }
            c => buf.push(c),
        }
    }
    buf.push(b'"');
}

/// The event name a line carries (`AgentStateChange` for a state change).
fn event_name(buf: &mut Vec<u8>, name: Name) {
    match name {
        Name::Event(word, case) => string(buf, word, case),
        Name::StateChange(..) => string(
            buf,
            crate::model::vocabulary::AGENT_STATE_CHANGE,
            Case::AsIs,
        ),
    }
}

fn tracking(buf: &mut Vec<u8>, rng: &mut Rng) {
    raw(buf, "notifs_");
    id(buf, &uuid(rng.next_u128()));
}

// ---------------------------------------------------------------- native

fn native(buf: &mut Vec<u8>, v: &View<'_>) {
    buf.push(b'{');
    if !v.omit_agent {
        raw(buf, r#""agent":""#);
        id(buf, &v.agent.id);
        raw(buf, r#"","#);
    }
    if let Some(i) = &v.interaction {
        raw(buf, r#""interaction":""#);
        id(buf, i);
        raw(buf, r#"","#);
    }
    raw(buf, r#""event":"#);
    event_name(buf, v.name);
    raw(buf, r#","time":"#);
    int(buf, v.time);
    if let Some(mode) = v.mode {
        raw(buf, r#","mode":""#);
        raw(buf, mode.name());
        buf.push(b'"');
    }
    if v.rona_timeout {
        raw(buf, r#","ronaTimeout":"#);
        int(buf, super::time_faults::RONA_TIMEOUT_S);
    }
    raw(buf, "}\n");
}

// ------------------------------------------------------------- websocket

fn websocket(buf: &mut Vec<u8>, v: &View<'_>, org: &Uuid, rng: &mut Rng) {
    let desktop = v.sub_status.is_some() || matches!(v.name, Name::StateChange(..));
    let message = if desktop {
        "AgentDesktopMessage"
    } else {
        "RoutingMessage"
    };
    raw(buf, r#"{"data":{"#);
    if !v.omit_agent {
        raw(buf, r#""agentId":""#);
        id(buf, &v.agent.id);
        raw(buf, r#"","#);
    }
    raw(buf, r#""eventType":""#);
    raw(buf, message);
    raw(buf, r#"","type":"#);
    match v.name {
        Name::Event(word, case) => string(buf, word, case),
        Name::StateChange(sub, case) => {
            raw(
                buf,
                r#""AgentStateChange","status":"LoggedIn","subStatus":"#,
            );
            string(buf, sub, case);
            raw(buf, r#","auxCodeId":"0""#);
        }
    }
    if let Some(i) = &v.interaction {
        raw(buf, r#","interactionId":""#);
        id(buf, i);
        raw(buf, r#"","mediaResourceId":""#);
        id(buf, i);
        buf.push(b'"');
    }
    raw(buf, r#","eventTime":"#);
    int(buf, v.time);
    raw(buf, r#","orgId":""#);
    id(buf, org);
    raw(buf, r#""},"orgId":""#);
    id(buf, org);
    raw(buf, r#"","trackingId":""#);
    tracking(buf, rng);
    raw(buf, r#"","type":""#);
    raw(buf, message);
    raw(buf, "\"}\n");
}

// -------------------------------------------------------------- envelope

/// A campaign's fixed details, one per dialing mode.
struct Campaign {
    group: &'static str,
    id: &'static str,
    queue: &'static str,
    vteam: &'static str,
    workflow: &'static str,
    workflow_id: &'static str,
}

const CAMPAIGNS: [Campaign; 3] = [
    Campaign {
        group: "ADDLR_PreviewGroup",
        id: "5d1e2c6a-3f0b-4c55-9a0e-6b1f7d2c9e41",
        queue: "Outdial_Queue_Preview",
        vteam: "0c96e7f5-fad5-4766-bf55-43c0508d55c9",
        workflow: "Outdial_Flow2",
        workflow_id: "662a86fb0bfd16265a6fb955",
    },
    Campaign {
        group: "ADDLR_ProgressiveGroup",
        id: "8a4f0d93-6c2e-4b7a-8f15-2e9c3b7d0a62",
        queue: "Outdial_Queue_Progressive",
        vteam: "3e7b1c0d-5a9f-4e2b-b6c4-91d0f8a2e735",
        workflow: "Outdial_Flow3",
        workflow_id: "662a87a10bfd16265a6fb9c2",
    },
    Campaign {
        group: "ADDLR_PredictiveGroup",
        id: "c2b9e4f1-0d7a-4a3c-9e58-7f6a1b2d4c83",
        queue: "Outdial_Queue_Predictive",
        vteam: "98b8bda8-67c3-4c1b-ae6c-2c61d498266e",
        workflow: "Outdial_Flow4",
        workflow_id: "662a88c40bfd16265a6fba07",
    },
];

const SITE_ID: &str = "5729b45e-2913-4425-b5e2-0d730aa6db0a";
const TEAM_ID: &str = "56cf5b28-56b0-4905-9d49-6893257100b1";
const FC_DESKTOP_VIEW: &str = r#"{\"pop-over\":[{\"name\":\"ani\",\"variableSeq\":\"0\"},{\"name\":\"dn\",\"variableSeq\":\"1\"},{\"name\":\"virtualTeamName\",\"variableSeq\":\"2\"}],\"interaction-panel\":[]}"#;

fn campaign(mode: Mode) -> &'static Campaign {
    &CAMPAIGNS[match mode {
        Mode::Preview => 0,
        Mode::Progressive => 1,
        Mode::Predictive => 2,
    }]
}

fn envelope(buf: &mut Vec<u8>, v: &View<'_>, org: &Uuid, rng: &mut Rng) {
    envelope_head(buf, rng);
    if let Some(i) = &v.interaction {
        raw(buf, r#""id":""#);
        id(buf, i);
        raw(buf, r#"","#);
    }
    let desktop = v.sub_status.is_some() || v.call.is_none();
    raw(buf, r#""ResponseActual":{"orgId":""#);
    id(buf, org);
    raw(buf, r#"","trackingId":""#);
    tracking(buf, rng);
    raw(buf, r#"","type":""#);
    raw(
        buf,
        if desktop {
            "AgentDesktopMessage"
        } else {
            "RoutingMessage"
        },
    );
    raw(buf, r#"","data":"#);
    // Now and then the notification leaves `interactionId` null: the reader
    // falls back to `message.call.id` (SPEC §5).
    let data_interaction = v.interaction.filter(|_| !rng.chance(0.1));
    match (v.call, v.interaction) {
        (Some(call), Some(i)) if !desktop => {
            routing_data(buf, v, &call, &i, data_interaction.as_ref(), org, rng)
        }
        _ => desktop_data(buf, v, data_interaction.as_ref(), org, rng),
    }
    buf.push(b'}');
    response_fields(buf, v);
    raw(buf, r#","CallType":"Regular-Call","event":"#);
    event_name(buf, v.name);
    if let (Some(call), Some(_)) = (v.call, v.interaction) {
        call_variables(buf, v, &call);
    }
    raw(buf, "}}}\n");
}

/// `channel`, `topic`, `subtopic` (in the spellings of the seed and its page),
/// up to the opening of `message.call`.
fn envelope_head(buf: &mut Vec<u8>, rng: &mut Rng) {
    let (channel, topic, subtopic) = match rng.below(10) {
        0 => ("Webex cc", "Outbound", "OutboundCallStateChange"),
        1 => ("webexcc", "OUTBOUND", "outboundcallstatechange"),
        _ => ("Webexcc", "outbound", "OutBoundCallStateChange"),
    };
    raw(buf, r#"{"channel":""#);
    raw(buf, channel);
    raw(buf, r#"","topic":""#);
    raw(buf, topic);
    raw(buf, r#"","subtopic":""#);
    raw(buf, subtopic);
    raw(buf, r#"","message":{"source":"event","call":{"#);
}

fn agent_id_field(buf: &mut Vec<u8>, v: &View<'_>) {
    if !v.omit_agent {
        raw(buf, r#""agentId":""#);
        id(buf, &v.agent.id);
        raw(buf, r#"","#);
    }
}

/// `data` of an agent state change (or of a record with no call).
fn desktop_data(
    buf: &mut Vec<u8>,
    v: &View<'_>,
    interaction: Option<&Uuid>,
    org: &Uuid,
    rng: &mut Rng,
) {
    buf.push(b'{');
    agent_id_field(buf, v);
    raw(buf, r#""auxCodeId":"0","eventTime":"#);
    int(buf, v.time);
    raw(
        buf,
        r#","eventType":"AgentDesktopMessage","interactionId":"#,
    );
    quoted_id(buf, interaction);
    raw(buf, r#","orgId":""#);
    id(buf, org);
    raw(buf, r#"","status":"LoggedIn","subStatus":"#);
    string(buf, v.sub_status.unwrap_or("Available"), Case::AsIs);
    raw(buf, r#","trackingId":""#);
    id(buf, &uuid(rng.next_u128()));
    raw(buf, r#"","type":""#);
    raw(buf, v.routing_type);
    raw(buf, r#""}"#);
}

/// `data` of a routing message about the call, with its `interaction` object.
fn routing_data(
    buf: &mut Vec<u8>,
    v: &View<'_>,
    call: &Call,
    iid: &Uuid,
    interaction: Option<&Uuid>,
    org: &Uuid,
    rng: &mut Rng,
) {
    buf.push(b'{');
    agent_id_field(buf, v);
    raw(buf, r#""campaignReservationKey":null,"eventTime":"#);
    int(buf, v.time);
    raw(buf, r#","eventType":"RoutingMessage","interactionId":"#);
    quoted_id(buf, interaction);
    raw(buf, r#","mediaResourceId":""#);
    id(buf, iid);
    raw(buf, r#"","orgId":""#);
    id(buf, org);
    raw(buf, r#"","queueMgr":"aqm","reservationInteractionId":"#);
    quoted_id(buf, (call.mode == Mode::Preview).then_some(iid));
    raw(buf, r#","trackingId":""#);
    id(buf, &uuid(rng.next_u128()));
    raw(buf, r#"","type":""#);
    raw(buf, v.routing_type);
    raw(buf, r#"","interaction":"#);
    interaction_object(buf, v, call, iid, org);
    buf.push(b'}');
}

fn customer(buf: &mut Vec<u8>, call: &Call) {
    buf.push(b'+');
    int(buf, call.customer as i64);
}

fn lcm_key(buf: &mut Vec<u8>, call: &Call) {
    raw(buf, "57|3|4|0|0|");
    int(buf, (call.id % 97) as i64);
    raw(buf, "|2");
}

/// The seed's `interaction` object, filled in for this call and phase.
fn interaction_object(buf: &mut Vec<u8>, v: &View<'_>, call: &Call, iid: &Uuid, org: &Uuid) {
    let c = campaign(call.mode);
    raw(
        buf,
        r#"{"callFlowParams":{},"callProcessingDetails":{"Campaign Group":""#,
    );
    raw(buf, c.group);
    raw(buf, r#"","EP_ID":""#);
    raw(buf, c.vteam);
    raw(buf, r#"","LCMKey":""#);
    lcm_key(buf, call);
    raw(buf, r#"","SELF_SERVICE_TYPE":"VXML","agent_ani":""#);
    int(buf, v.agent.ani() as i64);
    raw(buf, r#"","ani":""#);
    int(buf, v.agent.ani() as i64);
    raw(buf, r#"","campaignId":""#);
    raw(buf, c.group);
    raw(buf, r#"","dnis":""#);
    customer(buf, call);
    raw(buf, r#"","fcDesktopView":""#);
    raw(buf, FC_DESKTOP_VIEW);
    raw(
        buf,
        r#"","fceRegisteredEvents":"","isParked":"false","isReconciledCAD":"true","mohFileName":"defaultmusic_on_hold.wav","outdialTransferToQueueEnabled":"false","participantInviteTimeout":"false","ronaTimeout":"18","taskToBeSelfServiced":"false","tenantId":""#,
    );
    id(buf, org);
    raw(buf, r#"","virtualTeamName":""#);
    raw(buf, c.queue);
    raw(buf, r#"","vteamId":""#);
    raw(buf, c.vteam);
    raw(buf, r#"","workflowId":""#);
    raw(buf, c.workflow_id);
    raw(buf, r#"","workflowName":""#);
    raw(buf, c.workflow);
    raw(
        buf,
        r#""},"contactDirection":{"type":"OUTBOUND"},"createdTimestamp":"#,
    );
    int(buf, call.created);
    raw(buf, r#","currentVTeam":""#);
    raw(buf, c.vteam);
    raw(buf, r#"","interactionId":""#);
    id(buf, iid);
    raw(buf, r#"","isFcManaged":true,"isTerminated":"#);
    boolean(buf, terminated(v.phase));
    raw(buf, r#","mainInteractionId":""#);
    id(buf, iid);
    raw(buf, r#"","media":"#);
    media(buf, v, call, iid);
    raw(
        buf,
        r#","mediaChannel":"telnyx","mediaProperties":null,"mediaType":"telephony","orgId":""#,
    );
    id(buf, org);
    raw(buf, r#"","outboundType":"CAMPAIGN","owner":""#);
    id(buf, &v.agent.id);
    raw(buf, r#"","parentInteractionId":""#);
    id(buf, iid);
    raw(buf, r#"","participants":"#);
    participants(buf, v, call, c);
    raw(
        buf,
        r#","previousVTeams":[],"queuedTimestamp":null,"state":""#,
    );
    raw(buf, v.phase.as_ref());
    raw(buf, r#"","workflowManager":null}"#);
}

/// Has the contact ended, as the interaction object tells it?
fn terminated(phase: Phase) -> bool {
    !phase.is_live() && !matches!(phase, Phase::Reserved | Phase::Offered)
}

fn media(buf: &mut Vec<u8>, v: &View<'_>, call: &Call, iid: &Uuid) {
    let held = matches!(v.phase, Phase::Hold | Phase::Consulting | Phase::Consult);
    buf.push(b'{');
    buf.push(b'"');
    id(buf, iid);
    raw(buf, r#"":{"holdTimestamp":"#);
    if held {
        int(buf, v.time);
    } else {
        raw(buf, "null");
    }
    raw(buf, r#","isHold":"#);
    boolean(buf, held);
    raw(
        buf,
        r#","mType":"mainCall","mediaMgr":"callmm","mediaResourceId":""#,
    );
    id(buf, iid);
    raw(buf, r#"","mediaType":"telephony","participants":[""#);
    id(buf, &v.agent.id);
    raw(buf, r#"",""#);
    customer(buf, call);
    raw(buf, r#""]}}"#);
}

fn participants(buf: &mut Vec<u8>, v: &View<'_>, call: &Call, c: &Campaign) {
    let predial = matches!(v.phase, Phase::Reserved | Phase::Offered);
    let left = terminated(v.phase);
    raw(buf, r#"{""#);
    customer(buf, call);
    raw(buf, r#"":{"callerId":null,"hasJoined":"#);
    boolean(buf, !predial);
    raw(buf, r#","hasLeft":"#);
    boolean(buf, left);
    raw(buf, r#","id":""#);
    customer(buf, call);
    raw(buf, r#"","isInPredial":"#);
    boolean(buf, predial);
    raw(buf, r#","pType":"Customer","type":"Customer"},""#);
    id(buf, &v.agent.id);
    raw(
        buf,
        r#"":{"autoAnswerEnabled":true,"bnrDetails":null,"callerId":null,"channelId":""#,
    );
    id(buf, &uuid(derive(v.agent.bits, 0xC4A)));
    raw(buf, r#"","consultState":"#);
    match v.phase {
        Phase::Consulting => raw(buf, r#""consultInitiated""#),
        Phase::Consult => raw(buf, r#""consulting""#),
        Phase::Conference => raw(buf, r#""conferencing""#),
        _ => raw(buf, "null"),
    }
    raw(buf, r#","consultTimestamp":null,"dn":"webrtc-"#);
    id(buf, &v.agent.id);
    raw(buf, r#"","hasJoined":"#);
    boolean(buf, !predial);
    raw(buf, r#","hasLeft":false,"id":""#);
    id(buf, &v.agent.id);
    raw(
        buf,
        r#"","isConsulted":false,"isInPredial":false,"isOffered":true,"isWrapUp":"#,
    );
    boolean(buf, v.phase == Phase::WrapUp);
    raw(buf, r#","isWrappedUp":"#);
    boolean(buf, !v.phase.has_call());
    raw(buf, r#","name":"Outbound Agent "#);
    int(buf, i64::from(v.agent.number));
    raw(buf, r#"","pType":"Agent","queueId":""#);
    raw(buf, c.vteam);
    raw(buf, r#"","queueMgrId":"aqm","sessionId":""#);
    id(buf, &uuid(derive(v.agent.bits, 0x5E5)));
    raw(buf, r#"","siteId":""#);
    raw(buf, SITE_ID);
    raw(
        buf,
        r#"","skillId":null,"skillName":null,"skills":[],"teamId":""#,
    );
    raw(buf, TEAM_ID);
    raw(
        buf,
        r#"","teamName":"Acqueon_Site1_Team1","type":"Agent","wrapUpTimestamp":"#,
    );
    if v.phase == Phase::WrapUp {
        int(buf, v.time);
    } else {
        raw(buf, "null");
    }
    raw(buf, "}}");
}

fn response_fields(buf: &mut Vec<u8>, v: &View<'_>) {
    raw(buf, r#","ResponseFields":{"#);
    if let Some(call) = &v.call {
        raw(buf, r#""fromAddress":""#);
        int(buf, v.agent.ani() as i64);
        raw(buf, r#"","toAddress":""#);
        customer(buf, call);
        raw(buf, r#"","#);
    }
    raw(buf, r#""CallState":""#);
    raw(buf, v.phase.as_ref());
    raw(buf, r#"","Type":"OUTBOUND""#);
    if let Some(call) = &v.call {
        raw(buf, r#","Campaign":""#);
        raw(buf, campaign(call.mode).id);
        raw(buf, r#"","OutBoundType":"outbound""#);
    }
    buf.push(b'}');
}

fn call_variables(buf: &mut Vec<u8>, v: &View<'_>, call: &Call) {
    let c = campaign(call.mode);
    raw(buf, r#","CallVariables":{"Campaign Group":""#);
    raw(buf, c.group);
    raw(buf, r#"","LCMKey":""#);
    lcm_key(buf, call);
    raw(buf, r#"","ani":""#);
    int(buf, v.agent.ani() as i64);
    raw(buf, r#"","campaignId":""#);
    raw(buf, c.group);
    raw(buf, r#"","dn":""#);
    customer(buf, call);
    raw(buf, r#"","ronaTimeout":"18","virtualTeamName":""#);
    raw(buf, c.queue);
    raw(buf, r#""}"#);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_4() {
        let u = uuid(u128::MAX);
        assert_eq!(uuid_str(&u), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let u = uuid(0);
        assert_eq!(uuid_str(&u), "00000000-0000-4000-8000-000000000000");
    }

    #[test]
    fn strings_are_escaped_and_cased() {
        let mut buf = Vec::new();
        string(&mut buf, "a\"b\\c\n", Case::AsIs);
        assert_eq!(buf, br#""a\"b\\c\u000a""#);
        buf.clear();
        string(&mut buf, "eCallRecordingStarted", Case::Flip(14));
        assert_eq!(buf, br#""eCallRecordingstarted""#);
        buf.clear();
        string(&mut buf, "acw", Case::Upper);
        assert_eq!(buf, br#""ACW""#);
    }

    #[test]
    fn integers() {
        let mut buf = Vec::new();
        for n in [0, 7, -42, 1_718_965_753_439, i64::MIN, i64::MAX] {
            buf.clear();
            int(&mut buf, n);
            assert_eq!(buf, n.to_string().as_bytes());
        }
    }

    #[test]
    fn socket_names_have_no_sdk_prefix() {
        let names = Names::new();
        assert_eq!(
            names.socket_type(Event::CustAnswered),
            "AgentContactAssigned"
        );
        assert_eq!(names.socket_type(Event::Acw), "AgentWrapup");
        assert_eq!(names.socket_type(Event::Dropped), "AgentOutboundFailed");
        assert_eq!(names.socket_type(Event::AgentIdle), "AgentStateChange");
        for e in Event::iter() {
            for name in &names.socket[e as usize] {
                assert_eq!(Event::resolve(name), Some(e));
            }
        }
    }
}
