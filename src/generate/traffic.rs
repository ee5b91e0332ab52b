//! The traffic: conversations interleaved in a pool, each call's timing,
//! failure and retry, and the [`Generator`] that writes them in order.

use super::bodies::{ConversationId, write_body};
use super::isoformat::IsoFormat;
use super::plans::{
    BURST, EMERGENCY, EMERGENCY_SHORT, REVIEW, pick_plan, plans, purpose_for, system_plans,
};
use super::pyjson::{Member, PyJson, canonicalize_own};
use super::rng::{Rng, mix32};
use super::world::{Domain, MODEL_WEIGHTS, MODELS, Purpose, Role, Tool, Trigger, World};
use super::{BURST_ACCESSES, BURST_PATIENT, Options, Scenario};
use crate::log::canonical::{sha256, write_canonical_without};
use crate::log::entry::Scheme;
use crate::log::json;

#[derive(Clone, Copy, Debug)]
pub(super) struct Retry {
    pub(super) tool: Tool,
    pub(super) args_seed: u64,
    pub(super) patient: u16,
    pub(super) break_glass: bool,
    /// Retries made so far; clients give up after two.
    pub(super) attempts: u8,
}

pub(super) struct Conversation {
    pub(super) id: u32,
    pub(super) user: usize,
    pub(super) model: usize,
    pub(super) turn: u32,
    pub(super) plan: &'static [Tool],
    pub(super) step: usize,
    pub(super) started: bool,
    /// The next planned call answers a new user message.
    pub(super) new_request: bool,
    pub(super) system: bool,
    pub(super) emergency: bool,
    pub(super) glass_broken: bool,
    pub(super) purpose: Purpose,
    pub(super) customer: u32,
    pub(super) order: u32,
    /// Patient number, 0 for none.
    pub(super) patient: u16,
    pub(super) retry: Option<Retry>,
}

impl Conversation {
    pub(super) fn finished(&self) -> bool {
        self.started && self.step >= self.plan.len() && self.retry.is_none()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Failure {
    Timeout,
    RateLimited,
    Unavailable,
    NotFound,
    Conflict,
    Declined,
    Denied,
    Invalid,
}

impl Failure {
    /// Worth retrying: the same call may succeed a moment later.
    pub(super) fn transient(self) -> bool {
        matches!(
            self,
            Failure::Timeout | Failure::RateLimited | Failure::Unavailable
        )
    }
}

/// How `duration_ms` is written.
#[derive(Clone, Copy, Debug)]
pub(super) enum Duration {
    /// `round(ms, 2)` of a float.
    Ms(f64),
    /// The lesson's `log_with_trigger` passes `duration_ms=0`, and
    /// `round(0, 2)` stays the integer `0`.
    ZeroInt,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Review {
    pub(super) reviewed: usize,
    pub(super) at_micros: i64,
}

/// One tool call, ready to be written in any scheme.
pub(super) struct Call {
    pub(super) conversation: u32,
    pub(super) turn: u32,
    pub(super) user: usize,
    pub(super) model: usize,
    pub(super) tool: Tool,
    pub(super) args_seed: u64,
    pub(super) trigger: Trigger,
    pub(super) failure: Option<Failure>,
    pub(super) duration: Duration,
    pub(super) purpose: Purpose,
    pub(super) customer: u32,
    pub(super) order: u32,
    pub(super) patient: u16,
    pub(super) break_glass: bool,
    pub(super) review: Option<Review>,
}

pub(super) enum Event {
    Review { patient: u16, review: Review },
    Burst,
    PlantedEmergency,
}

pub(super) struct Scheduled {
    pub(super) due: u64,
    pub(super) event: Event,
}

/// Writes one entry after another; the state carries the hash chain,
/// the clock and the open conversations.
pub struct Generator {
    pub(super) rng: Rng,
    pub(super) world: World,
    pub(super) scheme: Scheme,
    pub(super) logging_prefix: bool,
    pub(super) total: u64,
    pub(super) index: u64,
    pub(super) clock: i64,
    /// Hex of the last entry's hash; `None` before the first (genesis).
    pub(super) previous: Option<[u8; 64]>,
    pub(super) pool: Vec<Conversation>,
    pub(super) conversations: u32,
    pub(super) conversation_salt: u32,
    pub(super) pending: Vec<Scheduled>,
    pub(super) burst: Option<Conversation>,
    /// When the next burst access is due, and how many are left.
    pub(super) burst_due: Option<(i64, u32)>,
    pub(super) scratch: Vec<u8>,
    pub(super) members: Vec<Member>,
}

/// Conversations open at once: enough to interleave visibly.
pub(super) const POOL_TARGET: usize = 20;

impl Generator {
    pub fn new(options: &Options) -> Generator {
        let mut rng = Rng::new(options.seed ^ 0x6175_6469_7475_6921);
        let domain = if options.scheme == Scheme::Hipaa || options.scenario == Scenario::Clinic {
            Domain::Clinic
        } else {
            Domain::Support
        };
        let clinic = options.scenario == Scenario::Clinic;
        let world = World::new(&mut rng, domain, clinic);
        let conversation_salt = rng.next_u64() as u32;
        let mut generator = Generator {
            rng,
            world,
            scheme: options.scheme,
            logging_prefix: options.logging_prefix,
            total: options.entries,
            index: 0,
            clock: options.start_micros,
            previous: None,
            pool: Vec::with_capacity(POOL_TARGET * 2),
            conversations: 0,
            conversation_salt,
            pending: Vec::new(),
            burst: None,
            burst_due: None,
            scratch: Vec::with_capacity(4096),
            members: Vec::with_capacity(64),
        };
        if clinic && options.entries >= 100 {
            generator.plant_clinic_scenario();
        }
        generator
    }

    /// Two emergencies (each reviewed later) and the burst, at fixed
    /// fractions of the log so that they exist whatever its size.
    pub(super) fn plant_clinic_scenario(&mut self) {
        let n = self.total;
        self.schedule(n * 3 / 10, Event::PlantedEmergency);
        self.schedule(n * 11 / 20, Event::PlantedEmergency);
        let burst_user = self.world.users.len() - 1;
        let patient: u16 = BURST_PATIENT[2..].parse().expect("P-NNNN");
        let mut conversation =
            self.conversation_for(burst_user, BURST, Purpose::Treatment, patient);
        conversation.model = 0;
        self.burst = Some(conversation);
        self.schedule(n * 2 / 5, Event::Burst);
    }

    pub(super) fn schedule(&mut self, due: u64, event: Event) {
        let at = self.pending.partition_point(|s| s.due <= due);
        self.pending.insert(at, Scheduled { due, event });
    }

    /// Append the next entry (one line, with its `\n`) to `out`.
    pub fn next_line(&mut self, out: &mut Vec<u8>) {
        if self.index > 0 {
            self.advance_clock();
        }
        let call = self.next_call();
        let line_start = out.len();
        if self.logging_prefix {
            out.extend_from_slice(b"INFO:tool_audit:");
        }
        let json_start = out.len();
        match self.scheme {
            Scheme::Hipaa => self.write_hipaa(&call, out),
            Scheme::Chain | Scheme::Plain => self.write_audit_entry(&call, out, json_start),
        }
        debug_assert!(out[line_start..].is_ascii(), "ensure_ascii output is ASCII");
        out.push(b'\n');
        self.index += 1;
    }

    /// Busy days, quiet nights: mean gap by hour of day (UTC), exponential
    /// jitter, never less than a millisecond so timestamps strictly increase.
    pub(super) fn advance_clock(&mut self) {
        let hour = self.clock.div_euclid(3_600_000_000).rem_euclid(24);
        let mean_s = match hour {
            8..=17 => 2.0,
            18..=22 => 5.0,
            _ => 12.0,
        };
        let gap_us = (self.rng.exponential(mean_s) * 1e6) as i64;
        self.clock += gap_us.max(1000);
    }

    pub(super) fn next_call(&mut self) -> Call {
        let remaining = self.total - self.index;
        let burst_left = self.burst_due.map_or(0, |(_, left)| u64::from(left));
        // Scheduled events never fall off the end of the log.
        let owed = self.pending.len() as u64 + burst_left >= remaining;
        if self.pending.first().is_some_and(|s| s.due <= self.index)
            || (owed && !self.pending.is_empty())
        {
            let scheduled = self.pending.remove(0);
            return self.scheduled_call(scheduled.event);
        }
        if self.burst_due.is_some_and(|(at, _)| at <= self.clock) || (owed && burst_left > 0) {
            return self.burst_call();
        }
        let start_new = self.pool.is_empty()
            || (self.pool.len() < POOL_TARGET && self.rng.chance(0.35))
            || self.rng.chance(0.01);
        let slot = if start_new {
            let conversation = self.new_conversation();
            self.pool.push(conversation);
            self.pool.len() - 1
        } else {
            self.rng.below(self.pool.len() as u64) as usize
        };
        let call = step(&mut self.pool[slot], &mut self.rng, &self.world, true);
        self.after_call(&call);
        let conversation = &mut self.pool[slot];
        if conversation.finished() {
            // Sometimes the user asks for something else in the same chat.
            let role = self.world.users[conversation.user].role;
            if !conversation.system && !conversation.emergency && self.rng.chance(0.3) {
                conversation.plan = pick_plan(&mut self.rng, plans(role, self.world.domain));
                conversation.step = 0;
                conversation.new_request = true;
                conversation.customer = self.rng.range(1, 4999) as u32;
                conversation.order = self.rng.range(10_000, 99_999) as u32;
                if conversation.patient != 0 {
                    // The next request is about another patient: one chat
                    // must not look like an access burst by itself.
                    conversation.patient = self.world.pick_patient(&mut self.rng);
                }
            } else {
                self.pool.swap_remove(slot);
            }
        }
        call
    }

    /// Bookkeeping that needs the whole generator: a broken glass gets a
    /// review by an admin later in the log.
    pub(super) fn after_call(&mut self, call: &Call) {
        if call.break_glass && call.trigger != Trigger::Retry {
            let remaining = self.total - self.index;
            let delay = 1 + self.rng.below((remaining / 2).clamp(1, 300));
            let review = Review {
                reviewed: call.user,
                at_micros: self.clock,
            };
            self.schedule(
                self.index + delay,
                Event::Review {
                    patient: call.patient,
                    review,
                },
            );
        }
    }

    pub(super) fn next_conversation_id(&mut self) -> u32 {
        self.conversations = self.conversations.wrapping_add(1);
        mix32(self.conversations.wrapping_add(self.conversation_salt))
    }

    pub(super) fn conversation_for(
        &mut self,
        user: usize,
        plan: &'static [Tool],
        purpose: Purpose,
        patient: u16,
    ) -> Conversation {
        Conversation {
            id: self.next_conversation_id(),
            user,
            model: self.rng.weighted(&MODEL_WEIGHTS),
            turn: 1,
            plan,
            step: 0,
            started: false,
            new_request: false,
            system: false,
            emergency: false,
            glass_broken: false,
            purpose,
            customer: self.rng.range(1, 4999) as u32,
            order: self.rng.range(10_000, 99_999) as u32,
            patient,
            retry: None,
        }
    }

    pub(super) fn new_conversation(&mut self) -> Conversation {
        let domain = self.world.domain;
        if self.rng.chance(0.03) {
            // A scheduled job run: no user turn, owned by an admin.
            let admin = self.rng.pick(&self.world.admins);
            let plan = pick_plan(&mut self.rng, system_plans(domain));
            let patient = self.patient_for_plan(plan, Role::Admin);
            let mut conversation = self.conversation_for(admin, plan, Purpose::Operations, patient);
            conversation.system = true;
            conversation.turn = 0;
            return conversation;
        }
        let user = self.world.pick_user(&mut self.rng);
        let role = self.world.users[user].role;
        let remaining = self.total - self.index;
        if role.is_clinician() && remaining >= 20 && self.rng.chance(0.004) {
            return self.emergency_conversation(user);
        }
        let plan = pick_plan(&mut self.rng, plans(role, domain));
        let purpose = purpose_for(&mut self.rng, role);
        let patient = self.patient_for_plan(plan, role);
        self.conversation_for(user, plan, purpose, patient)
    }

    pub(super) fn emergency_conversation(&mut self, user: usize) -> Conversation {
        let plan = if self.rng.chance(0.5) {
            EMERGENCY
        } else {
            EMERGENCY_SHORT
        };
        let patient = self.world.pick_patient(&mut self.rng);
        let mut conversation = self.conversation_for(user, plan, Purpose::Emergency, patient);
        conversation.emergency = true;
        conversation
    }

    pub(super) fn patient_for_plan(&mut self, plan: &[Tool], role: Role) -> u16 {
        let about_patients = plan.iter().any(|t| t.is_clinical())
            || role.is_clinical()
            || (self.world.domain == Domain::Clinic && plan.contains(&Tool::SendEmail));
        if about_patients {
            self.world.pick_patient(&mut self.rng)
        } else {
            0
        }
    }

    pub(super) fn scheduled_call(&mut self, event: Event) -> Call {
        match event {
            Event::Review { patient, review } => {
                let admin = self.rng.pick(&self.world.admins);
                let mut conversation =
                    self.conversation_for(admin, REVIEW, Purpose::Operations, patient);
                // A review is bookkeeping that someone retries until it is
                // recorded: the log shows the one that went through.
                let mut call = step(&mut conversation, &mut self.rng, &self.world, false);
                call.review = Some(review);
                call
            }
            Event::Burst => {
                self.burst_due = Some((self.clock, BURST_ACCESSES));
                self.burst_call()
            }
            Event::PlantedEmergency => {
                let user = self.rng.pick(&self.world.clinicians);
                let mut conversation = self.emergency_conversation(user);
                // The planted break-glass access itself goes through.
                let call = step(&mut conversation, &mut self.rng, &self.world, false);
                self.after_call(&call);
                self.pool.push(conversation);
                call
            }
        }
    }

    /// One access of the burst; the next follows 1.5 to 3.7 minutes later,
    /// so all of them fall within the hour an alert looks at.
    pub(super) fn burst_call(&mut self) -> Call {
        let (_, left) = self.burst_due.expect("a burst is running");
        self.burst_due = (left > 1).then(|| {
            (
                self.clock + self.rng.range(90, 220) as i64 * 1_000_000,
                left - 1,
            )
        });
        let mut burst = self.burst.take().expect("burst conversation planted");
        if burst.step >= burst.plan.len() && burst.retry.is_none() {
            burst.step = 0;
            burst.new_request = true;
        }
        let call = step(&mut burst, &mut self.rng, &self.world, true);
        self.burst = Some(burst);
        call
    }

    // -- writing -----------------------------------------------------------

    /// `AuditEntry` as `json.dumps(asdict(entry))`, plus the chain's two keys.
    pub(super) fn write_audit_entry(&mut self, call: &Call, out: &mut Vec<u8>, json_start: usize) {
        let user = &self.world.users[call.user];
        let timestamp = IsoFormat::new(self.clock);
        let mut w = PyJson::new(out);
        w.begin_object();
        w.key("timestamp").str(timestamp.as_str());
        w.key("conversation_id")
            .text(ConversationId(call.conversation));
        w.key("turn_number").int(i64::from(call.turn));
        w.key("user_id").str(&user.id);
        w.key("tool_name").str(call.tool.name());
        write_body(&mut w, &self.world, &mut self.rng, call, self.clock, false);
        match call.duration {
            Duration::Ms(ms) => w.key("duration_ms").float(ms),
            Duration::ZeroInt => w.key("duration_ms").int(0),
        };
        w.key("model").str(MODELS[call.model]);
        w.key("success").bool(call.failure.is_none());
        w.key("session_metadata").begin_object();
        w.key("user_role").str(user.role.name());
        w.key("client_ip").str(&user.ip);
        w.key("user_agent").str(user.agent);
        w.key("call_trigger").str(call.trigger.name());
        w.end_object();
        if self.scheme == Scheme::Plain {
            w.end_object();
            return;
        }
        w.key("_previous_hash").str(self.previous_str());
        w.end_object();
        // Hash what the lesson hashes: the entry (no `_hash` yet) in
        // canonical form.
        self.scratch.clear();
        canonicalize_own(&out[json_start..], &mut self.scratch, &mut self.members);
        if cfg!(debug_assertions) {
            // Every entry generated by the tests is cross-checked against
            // the verifier's own parser and canonical writer.
            let text =
                std::str::from_utf8(&out[json_start..]).expect("ensure_ascii output is ASCII");
            let value = json::parse(text).expect("the generator writes valid JSON");
            let mut reference = Vec::new();
            write_canonical_without(&value, "_hash", &mut reference);
            assert_eq!(
                String::from_utf8_lossy(&self.scratch),
                String::from_utf8_lossy(&reference),
                "canonical forms differ"
            );
        }
        let hash = sha256(&self.scratch);
        out.pop();
        out.extend_from_slice(b", \"_hash\": \"");
        self.push_hash(&hash, out);
        out.extend_from_slice(b"\"}");
    }

    /// `MedicalAuditEntry` in field order; `entry_hash` covers only the five
    /// fields the lesson hashes.
    pub(super) fn write_hipaa(&mut self, call: &Call, out: &mut Vec<u8>) {
        let user = &self.world.users[call.user];
        let timestamp = IsoFormat::new(self.clock);
        let patient = patient_id(&self.world, call);
        let mut w = PyJson::new(out);
        w.begin_object();
        w.key("timestamp").str(timestamp.as_str());
        w.key("user_id").str(&user.id);
        w.key("user_role").str(user.role.name());
        w.key("tool_name").str(call.tool.name());
        w.key("patient_id").str(patient);
        w.key("purpose").str(call.purpose.name());
        write_body(&mut w, &self.world, &mut self.rng, call, self.clock, true);
        w.key("success").bool(call.failure.is_none());
        w.key("previous_hash").str(self.previous_str());
        // json.dumps({...}, sort_keys=True) of the five hashed fields.
        self.scratch.clear();
        let mut h = PyJson::new(&mut self.scratch);
        h.begin_object();
        h.key("patient_id").str(patient);
        h.key("previous_hash").str(match &self.previous {
            Some(hex) => std::str::from_utf8(hex).expect("hex"),
            None => "genesis",
        });
        h.key("timestamp").str(timestamp.as_str());
        h.key("tool_name").str(call.tool.name());
        h.key("user_id").str(&user.id);
        h.end_object();
        let hash = sha256(&self.scratch);
        w.key("entry_hash");
        out.push(b'"');
        self.push_hash(&hash, out);
        out.extend_from_slice(b"\"}");
    }

    pub(super) fn previous_str(&self) -> &str {
        match &self.previous {
            Some(hex) => std::str::from_utf8(hex).expect("hex"),
            None => "genesis",
        }
    }

    /// Append the hash as lowercase hex and remember it as the next link.
    pub(super) fn push_hash(&mut self, hash: &[u8; 32], out: &mut Vec<u8>) {
        let hex = crate::log::canonical::hex_digits(hash);
        out.extend_from_slice(&hex);
        self.previous = Some(hex);
    }
}

/// The next call of a conversation: a retry of a failed call, the next step
/// of its plan, or a proactive extra lookup.
pub(super) fn step(c: &mut Conversation, rng: &mut Rng, world: &World, may_fail: bool) -> Call {
    let role = world.users[c.user].role;
    let mut break_glass = false;
    let mut attempts = 0;
    let (tool, trigger, args_seed, patient) = match c.retry.take() {
        Some(r) if c.step >= c.plan.len() || rng.chance(0.75) => {
            break_glass = r.break_glass;
            attempts = r.attempts + 1;
            (r.tool, Trigger::Retry, r.args_seed, r.patient)
        }
        _ if !c.started => {
            c.started = true;
            c.step = 1;
            let trigger = if c.system {
                Trigger::System
            } else {
                Trigger::UserRequest
            };
            (c.plan[0], trigger, rng.next_u64(), c.patient)
        }
        _ if !c.system && !c.new_request && c.step < c.plan.len() && rng.chance(0.12) => {
            // The model decides on its own to look something up.
            let tool = match (role.is_clinical() || world.domain == Domain::Clinic, role) {
                (true, Role::Researcher) => Tool::SearchKb,
                (true, r) if r.is_clinician() => Tool::GetLabResults,
                (true, _) => Tool::AccessPatientRecord,
                (false, _) => rng.pick(&[Tool::GetOrder, Tool::GetCustomer, Tool::SearchKb]),
            };
            (tool, Trigger::Proactive, rng.next_u64(), c.patient)
        }
        _ => {
            let tool = c.plan[c.step];
            c.step += 1;
            let trigger = if std::mem::take(&mut c.new_request) || rng.chance(0.45) {
                c.turn += 1;
                Trigger::UserRequest
            } else {
                Trigger::FollowUp
            };
            (tool, trigger, rng.next_u64(), c.patient)
        }
    };
    // Researchers look at a different patient with each record they pull.
    let patient = if role == Role::Researcher && trigger != Trigger::Retry && tool != Tool::SearchKb
    {
        world.pick_patient(rng)
    } else {
        patient
    };
    if c.emergency && !c.glass_broken && tool == Tool::AccessPatientRecord {
        c.glass_broken = true;
        break_glass = true;
    }
    let failure = if may_fail {
        roll_failure(rng, tool, role, world.domain, trigger == Trigger::Retry)
    } else {
        None
    };
    if failure.is_some_and(Failure::transient) && attempts < 2 {
        c.retry = Some(Retry {
            tool,
            args_seed,
            patient,
            break_glass,
            attempts,
        });
    }
    let duration = if trigger == Trigger::System {
        Duration::ZeroInt
    } else {
        Duration::Ms(duration_ms(rng, tool, failure))
    };
    Call {
        conversation: c.id,
        turn: c.turn,
        user: c.user,
        model: c.model,
        tool,
        args_seed,
        trigger,
        failure,
        duration,
        purpose: c.purpose,
        customer: c.customer,
        order: c.order,
        patient,
        break_glass,
        review: None,
    }
}

/// About 8% of calls fail: transient outages (retried), business-rule
/// errors per tool, and permission denials by role.
pub(super) fn roll_failure(
    rng: &mut Rng,
    tool: Tool,
    role: Role,
    domain: Domain,
    retry: bool,
) -> Option<Failure> {
    if role == Role::BillingClerk
        && domain == Domain::Clinic
        && tool.is_clinical()
        && rng.chance(0.12)
    {
        return Some(Failure::Denied);
    }
    if role == Role::Researcher && tool == Tool::AccessPatientRecord && rng.chance(0.08) {
        return Some(Failure::Denied);
    }
    let own_order = matches!(
        tool,
        Tool::GetOrder | Tool::InitiateReturn | Tool::UpdateOrderStatus
    );
    if role == Role::Customer && own_order && rng.chance(0.02) {
        return Some(Failure::Denied);
    }
    let transient = if retry { 0.2 } else { 0.035 };
    if rng.chance(transient) {
        return Some(match rng.below(10) {
            0..=1 => Failure::Timeout,
            2..=6 => Failure::RateLimited,
            _ => Failure::Unavailable,
        });
    }
    let u = rng.unit();
    let table: &[(Failure, f64)] = match tool {
        Tool::GetCustomer => &[(Failure::NotFound, 0.03)],
        Tool::GetOrder => &[(Failure::NotFound, 0.035), (Failure::Conflict, 0.005)],
        Tool::UpdateOrderStatus => &[(Failure::Conflict, 0.06), (Failure::Invalid, 0.02)],
        Tool::IssueRefund => &[(Failure::Conflict, 0.04), (Failure::NotFound, 0.01)],
        Tool::ChargePayment => &[(Failure::Declined, 0.06), (Failure::Conflict, 0.01)],
        Tool::ApplyCredit => &[(Failure::Conflict, 0.03)],
        Tool::SearchKb => &[(Failure::Unavailable, 0.01)],
        Tool::SendEmail => &[(Failure::Invalid, 0.02), (Failure::NotFound, 0.01)],
        Tool::InitiateReturn => &[(Failure::Conflict, 0.05), (Failure::NotFound, 0.01)],
        Tool::AccessPatientRecord => &[(Failure::NotFound, 0.01)],
        Tool::UpdateTreatment => &[(Failure::Conflict, 0.03)],
        Tool::ScheduleAppointment => &[(Failure::Conflict, 0.06)],
        Tool::PrescribeMedication => &[(Failure::Conflict, 0.05)],
        Tool::GetLabResults => &[(Failure::NotFound, 0.02)],
        Tool::ReviewEmergencyAccess => &[],
    };
    let mut acc = 0.0;
    for &(failure, p) in table {
        acc += p;
        if u < acc {
            return Some(failure);
        }
    }
    None
}

/// Log-normal latency per tool with a few slow outliers; timeouts take the
/// full 30 s. Rounded like `round(ms, 2)`: the nearest double to n/100.
pub(super) fn duration_ms(rng: &mut Rng, tool: Tool, failure: Option<Failure>) -> f64 {
    let ms = match failure {
        Some(Failure::Timeout) => 30_000.0 + rng.unit() * 40.0,
        Some(Failure::RateLimited) => 2.0 + rng.unit() * 12.0,
        Some(Failure::Unavailable) => rng.log_normal(tool.median_ms() * 0.3, 0.4),
        _ => {
            let base = rng.log_normal(tool.median_ms(), 0.45);
            if rng.chance(0.004) {
                base * (5.0 + rng.unit() * 30.0)
            } else {
                base
            }
        }
    };
    (ms * 100.0).round() / 100.0
}

pub(super) fn patient_id<'w>(world: &'w World, call: &Call) -> &'w str {
    if call.patient == 0 || !has_patient_argument(world.domain, call.tool) {
        // `arguments.get("patient_id", "unknown")`
        "unknown"
    } else {
        &world.patients[usize::from(call.patient) - 1].id
    }
}

pub(super) fn has_patient_argument(domain: Domain, tool: Tool) -> bool {
    tool.is_clinical() || (domain == Domain::Clinic && tool == Tool::SendEmail)
}
