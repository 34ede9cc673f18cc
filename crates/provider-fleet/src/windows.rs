//! Rate windows on the server: the same sliding window as `provider_core::budget`, as one
//! script, so that a reservation is atomic across the fleet. `<key>` is a sorted set of
//! reserved send times (Unix ms, the server's clock: replicas' clocks may disagree).

use std::time::Duration;

use provider_core::Slot;
use redis::Script;

use crate::connection::Connection;

/// ARGV: requests, period ms, longest wait ms, a unique member. Returns {granted, wait ms}.
const RESERVE: &str = r"
local key = KEYS[1]
local requests = tonumber(ARGV[1])
local per = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local kind = redis.call('TYPE', key)
if kind.ok ~= 'none' and kind.ok ~= 'zset' then redis.call('DEL', key) end
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - per)
local count = redis.call('ZCARD', key)
local at = now
if count >= requests then
  local nth = redis.call('ZRANGE', key, count - requests, count - requests, 'WITHSCORES')
  at = math.max(at, tonumber(nth[2]) + per)
end
if count > 0 then
  local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  at = math.max(at, tonumber(last[2]))
end
local wait = at - now
if wait > max_wait then return {0, wait} end
redis.call('ZADD', key, at, ARGV[4])
redis.call('PEXPIRE', key, wait + per + 1000)
return {1, wait}
";

pub(crate) async fn reserve(
    connection: &Connection,
    key: String,
    requests: u32,
    per: Duration,
    max_wait: Duration,
) -> Option<Slot> {
    let member = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
    let (granted, wait): (i64, i64) = connection
        .run(|mut c| async move {
            Script::new(RESERVE)
                .key(key)
                .arg(requests)
                .arg(per.as_millis() as u64)
                .arg(max_wait.as_millis() as u64)
                .arg(member)
                .invoke_async(&mut c)
                .await
        })
        .await?;
    let wait = Duration::from_millis(wait.max(0) as u64);
    Some(if granted == 1 {
        Slot::Granted(wait)
    } else {
        Slot::Refused(wait)
    })
}
