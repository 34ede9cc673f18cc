//! Many independent calls with a bound on how many are in flight, each result kept under
//! its key: one failed order or usage lookup does not hide the others.

use std::collections::BTreeMap;
use std::future::Future;

use futures::StreamExt;

/// Runs `call` for every key, at most `concurrency` at a time, and returns each key's result.
/// Keys are deduplicated: each distinct key is called once.
pub async fn run<K, T, E, F, Fut>(
    keys: impl IntoIterator<Item = K>,
    concurrency: usize,
    mut call: F,
) -> BTreeMap<K, Result<T, E>>
where
    K: Ord + Clone,
    F: FnMut(K) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let unique: std::collections::BTreeSet<K> = keys.into_iter().collect();
    futures::stream::iter(unique)
        .map(|key| {
            let pending = call(key.clone());
            async move { (key, pending.await) }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn bounded_keyed_and_independent() {
        let (in_flight, peak) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let results = run(0..20u32, 5, |key| {
            let (in_flight, peak) = (in_flight.clone(), peak.clone());
            async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                if key % 7 == 3 {
                    Err(format!("{key} failed"))
                } else {
                    Ok(key * 10)
                }
            }
        })
        .await;
        assert_eq!(results.len(), 20);
        assert_eq!(peak.load(Ordering::SeqCst), 5);
        assert_eq!(results[&3], Err("3 failed".to_owned()));
        assert_eq!(results[&4], Ok(40));
    }

    #[tokio::test]
    async fn duplicate_keys_are_called_once() {
        let calls = AtomicUsize::new(0);
        let results = run(["a", "b", "a"], 5, |_| {
            calls.fetch_add(1, Ordering::SeqCst);
            async { Ok::<_, ()>(()) }
        })
        .await;
        assert_eq!((results.len(), calls.load(Ordering::SeqCst)), (2, 2));
    }
}
