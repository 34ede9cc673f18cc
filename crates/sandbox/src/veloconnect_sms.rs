//! The VeloConnect SMS platform simulation, mounted at `/veloconnect-sms` (the spec's
//! `/api/...` paths follow unchanged). Every function is `POST` with a JSON body carrying
//! `api_id` and `api_password` (VerifyStatus: none), as the spec says.
//!
//! As the platform does, refusals are HTTP 200 with `{"status": "F", "remarks": ...}` (for the
//! list answers of SendSMSMulti and GetSenderIDList, a one-item list of that object); only a
//! body that is not a JSON object gets HTTP 400 with the same shape. Refusals, in order:
//! `IP not Whitelisted` while the whitelist refusal is on (`Sandbox::set_sms_ip_whitelisted`,
//! or `POST /_sandbox/veloconnect-sms/ip-whitelist {"whitelisted": false}`), `Invalid API
//! credentials`, a missing or malformed field (its name in `remarks`), an unknown or
//! unapproved sender id, `Insufficient balance`.
//!
//! State, the same on every start:
//! - Sender ids: `VELOSMS` Approved, `VELOTEST` Pending, `SPAMCO` Rejected.
//! - Contact list 374 exists; contacts get ids 1, 2, …
//! - Balance: `Config::opening_balance` USD; every message part costs `PART_PRICE` (USD
//!   0.02). Parts: GSM-7 (`T`, `FS`) 160 characters in one part, 153 per part above that;
//!   UCS-2 (`U`, `UFS`) 70, then 67 (characters counted as Unicode scalar values; GSM-7
//!   extension characters are not counted twice). A template send (`templateid`, no text)
//!   is one part.
//! - Messages get ids 4001, 4002, … (one per number). Each is `Pending` until 10 simulated
//!   seconds have passed, then `Delivered` (numbers ending in `000`: `Failed`, error code 1,
//!   "Absent subscriber"); at that moment the delivery report is POSTed to the message's
//!   `callback_url`, if it had one (recorded in `Sandbox::webhooks` either way).
//! - Verify sends a 4-digit code (in the outbox: `Sandbox::sms_outbox`, or
//!   `GET /_sandbox/veloconnect-sms/outbox`), costs one part and answers `verfication_id`s
//!   90001, 90002, …; VerifyStatus answers `V` once for the right code within 10 simulated
//!   minutes, and `F` with the reason otherwise (wrong, used, expired, unknown id).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};

use credentials::{VELOCONNECT_SMS_API_ID, VELOCONNECT_SMS_API_PASSWORD};
use crate::{Provider, Shared, http};

/// USD per message part, in ten-thousandths.
const PART_PRICE: i64 = 200;
const DELIVERY_AFTER: Duration = Duration::from_secs(10);
const CODE_LIFETIME: Duration = Duration::from_secs(600);
const SENDERS: [(&str, &str, &str); 3] = [
    ("VELOSMS", "Approved", "IN"),
    ("VELOTEST", "Pending", "IN"),
    ("SPAMCO", "Rejected", "IN"),
];
const CONTACT_LIST: i64 = 374;

/// One SMS the simulation "sent", as the handset would see it.
#[derive(Clone, Debug, Serialize)]
pub struct OutboxSms {
    pub message_id: i64,
    pub phonenumber: String,
    pub sender_id: String,
    pub text: String,
}

/// What tests and the admin endpoints change or read.
#[derive(Default)]
pub(crate) struct Controls {
    ip_refused: AtomicBool,
    outbox: Mutex<Vec<OutboxSms>>,
}

impl Controls {
    pub fn set_ip_whitelisted(&self, whitelisted: bool) {
        self.ip_refused.store(!whitelisted, Ordering::SeqCst);
    }

    pub fn outbox(&self) -> Vec<OutboxSms> {
        self.outbox.lock().unwrap().clone()
    }
}

struct Message {
    id: i64,
    number: String,
    text: String,
    encoding: String,
    parts: i64,
    uid: Option<String>,
    callback_url: Option<String>,
    sent: DateTime<Utc>,
    reported: bool,
}

struct Code {
    id: i64,
    code: String,
    sent: DateTime<Utc>,
    used: bool,
}

struct Platform {
    shared: Arc<Shared>,
    balance: i64,
    messages: Vec<Message>,
    codes: Vec<Code>,
    contacts: Vec<i64>,
}

type Sms = Arc<Mutex<Platform>>;

pub mod credentials {
    /// VeloConnect SMS platform `api_id`: the example of the VeloSMS API setup page (the
    /// spec's example, so schemathesis' example phase authenticates).
    pub const VELOCONNECT_SMS_API_ID: &str = "API43404236";
    /// VeloConnect SMS platform `api_password`, the same page's example.
    pub const VELOCONNECT_SMS_API_PASSWORD: &str = "password@123";
}

/// `VELOCONNECT_SMS_API_ID`, `VELOCONNECT_SMS_API_PASSWORD`.
pub(crate) const CREDENTIAL: &[&str] = &[VELOCONNECT_SMS_API_ID, VELOCONNECT_SMS_API_PASSWORD];

pub(crate) fn announced_credential() -> String {
    format!("api_id={VELOCONNECT_SMS_API_ID} api_password={VELOCONNECT_SMS_API_PASSWORD}")
}

pub fn router(shared: Arc<Shared>) -> Router {
    let opening = (shared.config.opening_balance * 10_000.0).round() as i64;
    let sms: Sms = Arc::new(Mutex::new(Platform {
        shared: shared.clone(),
        balance: opening,
        messages: Vec::new(),
        codes: Vec::new(),
        contacts: Vec::new(),
    }));
    let on_skip = sms.clone();
    shared.on_skip(move |_| on_skip.lock().unwrap().report_deliveries());
    Router::new()
        .route("/api/SendSMS", post(|s, b| call(s, b, Answer::Object, send_sms)))
        .route(
            "/api/SendSMSMulti",
            post(|s, b| call(s, b, Answer::List, send_sms_multi)),
        )
        .route(
            "/api/GetDeliveryStatus",
            post(|s, b| call(s, b, Answer::Object, delivery_status)),
        )
        .route(
            "/api/GetSenderIDList",
            post(|s, b| call(s, b, Answer::List, sender_ids)),
        )
        .route(
            "/api/SenderIDStatus",
            post(|s, b| call(s, b, Answer::Object, sender_id_status)),
        )
        .route("/api/AddContact", post(|s, b| call(s, b, Answer::Object, add_contact)))
        .route(
            "/api/DeleteContact",
            post(|s, b| call(s, b, Answer::Object, delete_contact)),
        )
        .route("/api/Verify", post(|s, b| call(s, b, Answer::Object, verify)))
        .route("/api/VerifyStatus", post(verify_status))
        .route("/api/CheckBalance", post(|s, b| call(s, b, Answer::Object, balance)))
        .with_state(sms)
}

/// How a function answers a refusal: the object, or a one-item list of it.
#[derive(Clone, Copy)]
enum Answer {
    Object,
    List,
}

/// A refusal's `remarks`.
type Refusal = String;

type Handler = fn(&mut Platform, &Map<String, Value>) -> Result<Value, Refusal>;

async fn call(State(sms): State<Sms>, body: Bytes, answer: Answer, handler: Handler) -> Response {
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&body) else {
        return http::json(StatusCode::BAD_REQUEST, refusal("The body must be a JSON object"));
    };
    let mut platform = sms.lock().unwrap();
    let outcome = platform.admit(&fields).and_then(|()| handler(&mut platform, &fields));
    match (outcome, answer) {
        (Ok(value), _) => http::json(StatusCode::OK, value),
        (Err(remarks), Answer::Object) => http::json(StatusCode::OK, refusal(&remarks)),
        (Err(remarks), Answer::List) => http::json(StatusCode::OK, json!([refusal(&remarks)])),
    }
}

fn refusal(remarks: &str) -> Value {
    json!({"status": "F", "remarks": remarks})
}

fn text<'a>(fields: &'a Map<String, Value>, name: &str) -> Result<&'a str, Refusal> {
    optional_text(fields, name)?.ok_or_else(|| format!("{name} is required"))
}

fn optional_text<'a>(fields: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, Refusal> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("{name} must be a string")),
    }
}

fn integer(fields: &Map<String, Value>, name: &str) -> Result<Option<i64>, Refusal> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_i64()
            .map(Some)
            .ok_or_else(|| format!("{name} must be an integer")),
    }
}

fn digits(number: &str) -> bool {
    !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())
}

/// GSM-7 160/153, UCS-2 70/67.
fn parts(text: &str, encoding: &str) -> i64 {
    let (single, each) = if matches!(encoding, "U" | "UFS") {
        (70, 67)
    } else {
        (160, 153)
    };
    let length = text.chars().count() as i64;
    if length <= single {
        1
    } else {
        (length + each - 1) / each
    }
}

impl Platform {
    fn admit(&self, fields: &Map<String, Value>) -> Result<(), Refusal> {
        if self.shared.sms.ip_refused.load(Ordering::SeqCst) {
            return Err("IP not Whitelisted".into());
        }
        let id = fields.get("api_id").and_then(Value::as_str);
        let password = fields.get("api_password").and_then(Value::as_str);
        if id != Some(VELOCONNECT_SMS_API_ID) || password != Some(VELOCONNECT_SMS_API_PASSWORD) {
            return Err("Invalid API credentials".into());
        }
        Ok(())
    }

    fn sender(&self, fields: &Map<String, Value>) -> Result<String, Refusal> {
        let sender = text(fields, "sender_id")?;
        match SENDERS.iter().find(|(id, ..)| *id == sender) {
            Some((id, "Approved", _)) => Ok((*id).to_owned()),
            Some((id, state, _)) => Err(format!("Sender ID {id} is {state}")),
            None => Err(format!("Sender ID {sender} is not registered")),
        }
    }

    fn debit(&mut self, parts: i64) -> Result<i64, Refusal> {
        let cost = parts * PART_PRICE;
        if cost > self.balance {
            return Err("Insufficient balance".into());
        }
        self.balance -= cost;
        Ok(cost)
    }

    /// Validates a send and queues one message per number.
    fn send(&mut self, fields: &Map<String, Value>) -> Result<Vec<Value>, Refusal> {
        let sms_type = text(fields, "sms_type")?;
        if !matches!(sms_type, "P" | "T") {
            return Err("sms_type must be P or T".into());
        }
        let encoding = text(fields, "encoding")?.to_owned();
        if !matches!(encoding.as_str(), "T" | "U" | "FS" | "UFS") {
            return Err("encoding must be T, U, FS or UFS".into());
        }
        let sender = self.sender(fields)?;
        let numbers: Vec<&str> = text(fields, "phonenumber")?.split(',').collect();
        if !numbers.iter().all(|n| digits(n)) {
            return Err("phonenumber: digits only, comma-separated without spaces".into());
        }
        let message = match (
            optional_text(fields, "textmessage")?,
            optional_text(fields, "templateid")?,
        ) {
            (Some(text), _) => text.to_owned(),
            (None, Some(template)) => format!("[template {template}]"),
            (None, None) => return Err("textmessage or templateid is required".into()),
        };
        let uid = optional_text(fields, "uid")?.map(str::to_owned);
        let callback_url = optional_text(fields, "callback_url")?.map(str::to_owned);
        integer(fields, "ValidityPeriodInSeconds")?;
        let parts = parts(&message, &encoding);
        self.debit(parts * numbers.len() as i64)?;
        let now = self.shared.clock.now();
        let mut answers = Vec::new();
        for number in numbers {
            let id = 4001 + self.messages.len() as i64;
            self.shared.sms.outbox.lock().unwrap().push(OutboxSms {
                message_id: id,
                phonenumber: number.to_owned(),
                sender_id: sender.clone(),
                text: message.clone(),
            });
            self.messages.push(Message {
                id,
                number: number.to_owned(),
                text: message.clone(),
                encoding: encoding.clone(),
                parts,
                uid: uid.clone(),
                callback_url: callback_url.clone(),
                sent: now,
                reported: false,
            });
            let mut answer = json!({"message_id": id, "status": "S", "remarks": "Message Submitted Sucessfully"});
            if let Some(uid) = &uid {
                answer["uid"] = json!(uid);
            }
            answers.push(answer);
        }
        Ok(answers)
    }

    fn report(&self, message: &Message) -> Value {
        let delivered_at = message.sent + chrono::Duration::from_std(DELIVERY_AFTER).expect("small");
        let (state, code, description) = match () {
            _ if self.shared.clock.now() < delivered_at => ("Pending", 0, ""),
            _ if message.number.ends_with("000") => ("Failed", 1, "Absent subscriber"),
            _ => ("Delivered", 0, ""),
        };
        let mut report = json!({
            "message_id": message.id,
            "PhoneNumber": message.number,
            "SMSMessage": message.text,
            "MessageType": message.encoding,
            "MessageLength": message.text.chars().count(),
            "MessageParts": message.parts,
            "ClientCost": (message.parts * PART_PRICE) as f64 / 10_000.0,
            "DLRStatus": state,
            "SMSID": format!("smsc-{}", message.id),
            "ErrorCode": code,
            "ErrorDescription": description,
            "SentDateUTC": message.sent.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "Remarks": "",
        });
        if let Some(uid) = &message.uid {
            report["uid"] = json!(uid);
        }
        report
    }

    /// Called after every clock skip: messages whose delivery time has come get their report.
    fn report_deliveries(&mut self) {
        let now = self.shared.clock.now();
        let due: Vec<usize> = (0..self.messages.len())
            .filter(|&i| {
                let m = &self.messages[i];
                !m.reported && now >= m.sent + chrono::Duration::from_std(DELIVERY_AFTER).expect("small")
            })
            .collect();
        for i in due {
            self.messages[i].reported = true;
            let message = &self.messages[i];
            let Some(url) = message.callback_url.clone() else {
                continue;
            };
            let body = self.report(message).to_string();
            self.shared
                .webhooks
                .deliver(Provider::VeloConnectSms, Some(url), Vec::new(), body);
        }
    }
}

fn send_sms(platform: &mut Platform, fields: &Map<String, Value>) -> Result<Value, Refusal> {
    // To a comma list, one submission: the answer carries the first message's id.
    Ok(platform.send(fields)?.remove(0))
}

fn send_sms_multi(platform: &mut Platform, fields: &Map<String, Value>) -> Result<Value, Refusal> {
    platform.send(fields).map(Value::Array)
}

fn delivery_status(platform: &mut Platform, fields: &Map<String, Value>) -> Result<Value, Refusal> {
    let id = integer(fields, "message_id")?;
    let uid = optional_text(fields, "uid")?;
    let found = platform.messages.iter().find(|m| match (id, uid) {
        (Some(id), _) => m.id == id,
        (None, Some(uid)) => m.uid.as_deref() == Some(uid),
        (None, None) => false,
    });
    match (found, id, uid) {
        (Some(message), ..) => Ok(platform.report(message)),
        (None, None, None) => Err("message_id or uid is required".into()),
        (None, ..) => Err("Message not found".into()),
    }
}

fn sender_ids(_: &mut Platform, _: &Map<String, Value>) -> Result<Value, Refusal> {
    Ok(SENDERS
        .iter()
        .map(|(id, state, country)| json!({"sender_id": id, "status": state, "country": country}))
        .collect())
}

fn sender_id_status(_: &mut Platform, fields: &Map<String, Value>) -> Result<Value, Refusal> {
    let sender = text(fields, "sender_id")?;
    SENDERS
        .iter()
        .find(|(id, ..)| *id == sender)
        .map(|(id, state, country)| json!({"sender_id": id, "status": state, "country": country}))
        .ok_or_else(|| format!("Sender ID {sender} is not registered"))
}

fn add_contact(platform: &mut Platform, fields: &Map<String, Value>) -> Result<Value, Refusal> {
    let list = integer(fields, "contact_list_id")?.ok_or("contact_list_id is required")?;
    optional_text(fields, "contact_name")?;
    if !digits(text(fields, "contact_number")?) {
        return Err("contact_number: digits only".into());
    }
    if list != CONTACT_LIST {
        return Err("Contact list not found".into());
    }
    let id = platform.contacts.iter().max().unwrap_or(&0) + 1;
    platform.contacts.push(id);
    Ok(json!({"status": "S", "remarks": format!("Contact {id} added")}))
}

fn delete_contact(platform: &mut Platform, fields: &Map<String, Value>) -> Result<Value, Refusal> {
    let id = integer(fields, "contact_id")?.ok_or("contact_id is required")?;
    let before = platform.contacts.len();
    platform.contacts.retain(|c| *c != id);
    if platform.contacts.len() == before {
        return Err("Contact not found".into());
    }
    Ok(json!({"status": "S", "remarks": "Contact deleted"}))
}

fn verify(platform: &mut Platform, fields: &Map<String, Value>) -> Result<Value, Refusal> {
    let brand = text(fields, "brand")?.to_owned();
    let number = text(fields, "phonenumber")?.to_owned();
    if !digits(&number) {
        return Err("phonenumber: digits only".into());
    }
    let sender = platform.sender(fields)?;
    platform.debit(1)?;
    let id = 90001 + platform.codes.len() as i64;
    // Four digits that differ from one id to the next; not a secret in a sandbox.
    let code = format!("{:04}", (id * 7919 + 1234) % 10_000);
    let text = format!("Your {brand} verification code is {code}");
    platform.shared.sms.outbox.lock().unwrap().push(OutboxSms {
        message_id: id,
        phonenumber: number,
        sender_id: sender,
        text,
    });
    let sent = platform.shared.clock.now();
    platform.codes.push(Code {
        id,
        code,
        sent,
        used: false,
    });
    Ok(json!({"status": "S", "verfication_id": id, "remarks": "Verification code sent"}))
}

/// No credentials, as every client of the platform sends it.
async fn verify_status(State(sms): State<Sms>, body: Bytes) -> Response {
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&body) else {
        return http::json(StatusCode::BAD_REQUEST, refusal("The body must be a JSON object"));
    };
    let mut platform = sms.lock().unwrap();
    let now = platform.shared.clock.now();
    let checked = (|| {
        let id = integer(&fields, "verfication_id")?.ok_or("verfication_id is required")?;
        let given = text(&fields, "verfication_code")?;
        let code = platform
            .codes
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or("Unknown verification id")?;
        if code.used {
            return Err("Code already used".to_owned());
        }
        if now > code.sent + chrono::Duration::from_std(CODE_LIFETIME).expect("small") {
            return Err("Code expired".to_owned());
        }
        if code.code != given {
            return Err("Invalid verification code".to_owned());
        }
        code.used = true;
        Ok(())
    })();
    let body = match checked {
        Ok(()) => json!({"status": "V", "remarks": "Verified"}),
        Err(remarks) => refusal(&remarks),
    };
    http::json(StatusCode::OK, body)
}

fn balance(platform: &mut Platform, _: &Map<String, Value>) -> Result<Value, Refusal> {
    Ok(json!({"BalanceAmount": platform.balance as f64 / 10_000.0, "CurrenceCode": "USD"}))
}

#[cfg(test)]
mod tests {
    use super::parts;

    #[test]
    fn parts_follow_gsm7_and_ucs2_limits() {
        assert_eq!(parts(&"a".repeat(160), "T"), 1);
        assert_eq!(parts(&"a".repeat(161), "T"), 2);
        assert_eq!(parts(&"a".repeat(306), "FS"), 2);
        assert_eq!(parts(&"a".repeat(307), "T"), 3);
        assert_eq!(parts(&"é".repeat(70), "U"), 1);
        assert_eq!(parts(&"é".repeat(71), "U"), 2);
        assert_eq!(parts(&"é".repeat(135), "UFS"), 3);
    }
}
