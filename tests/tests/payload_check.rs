//! `cargo xtask payload-check` (`integration_tests::payload_check`): HAR files made from the
//! specs' own examples are clean on any host; mutations of them (an extra key inside an
//! array item, wrong types, an unlisted status, an unknown path) are each one finding; the
//! recorded Airalo sandbox answers are clean; the binary's output and exit codes.

use std::process::Command;

use integration_tests::payload_check::{Checker, Finding, Kind, har_entry};
use integration_tests::{response_example, spec, specs, workspace_root};
use serde_json::{Value, json};

fn har(entries: Vec<Value>) -> String {
    json!({"log": {"version": "1.2", "creator": {"name": "test", "version": "1"}, "entries": entries}}).to_string()
}

fn check(text: String) -> integration_tests::payload_check::Report {
    Checker::new(&specs(), &[])
        .check(&[("test.har".into(), text)])
        .expect("a readable HAR")
}

/// Every operation's documented success examples (and JSON request examples), recorded
/// against `base(provider, server path)`.
fn documented_traffic(base: impl Fn(&str, &str, &str) -> String) -> Vec<Value> {
    let mut entries = Vec::new();
    for (provider, doc) in specs() {
        let server = doc["servers"][0]["url"].as_str().unwrap();
        let (host, server_path) = server
            .split_once("://")
            .unwrap()
            .1
            .split_once('/')
            .map_or((server, ""), |(h, p)| (h, p));
        for (template, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let Some((status, success)) = op["responses"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .find(|(c, _)| c.starts_with('2'))
                else {
                    continue;
                };
                let media = &success["content"]["application/json"];
                let mut answers: Vec<Option<Value>> = match (media.get("example"), media["examples"].as_object()) {
                    (Some(example), _) => vec![Some(example.clone())],
                    (None, Some(named)) => named.values().map(|e| Some(e["value"].clone())).collect(),
                    (None, None) => vec![None],
                };
                if media.is_null() {
                    answers = vec![None];
                }
                let request = op["requestBody"]["content"]["application/json"].get("example").cloned();
                let path: String = template
                    .split('/')
                    .map(|s| if s.starts_with('{') { "123" } else { s })
                    .collect::<Vec<_>>()
                    .join("/");
                let url = format!("{}/{server_path}{path}", base(&provider, host, server_path));
                let url = url.replace("//", "/").replacen(":/", "://", 1);
                for answer in answers {
                    let status: u16 = status.parse().unwrap_or(200);
                    entries.push(har_entry(
                        &method.to_uppercase(),
                        &url,
                        request.as_ref(),
                        status,
                        answer.as_ref(),
                    ));
                }
            }
        }
    }
    entries
}

#[test]
fn the_specs_own_examples_are_clean_on_the_production_host_and_on_the_sandbox() {
    let production = documented_traffic(|_, host, _| format!("https://{host}"));
    let sandbox = documented_traffic(|provider, _, _| format!("http://127.0.0.1:8080/{provider}"));
    for entries in [production, sandbox] {
        let count = entries.len();
        assert!(count > 50, "{count} entries");
        let report = check(har(entries));
        assert_eq!(report.findings, Vec::<Finding>::new(), "{}", report.table());
        assert_eq!((report.entries, report.matched), (count, count));
    }
}

fn finding(kind: Kind, operation: &str, pointer: &str, count: usize, detail: &str) -> Finding {
    let provider = if kind == Kind::Unmatched { "-" } else { "airalo" };
    Finding {
        provider: provider.into(),
        operation: operation.into(),
        kind,
        pointer: pointer.into(),
        count,
        detail: detail.into(),
    }
}

/// The documented eSIM page with each mutation, one entry each, on a staging host.
fn mutated() -> Vec<Value> {
    let page = response_example(&spec("airalo"), "getEsimsList", "");
    let url = "https://staging.example.net/v2/sims?include=order";
    let with = |pointer: &str, value: Value| {
        let mut body = page.clone();
        *body.pointer_mut(pointer).unwrap() = value;
        body
    };
    let mut extra = page.clone();
    extra["data"][1]["simable"]["surprise"] = json!({"nested": "personal@example.com"});
    let mut extra_again = page.clone();
    extra_again["data"][0]["simable"]["surprise"] = json!(null);
    vec![
        har_entry("GET", url, None, 200, Some(&extra)),
        har_entry("GET", url, None, 200, Some(&extra_again)),
        har_entry(
            "GET",
            url,
            None,
            200,
            Some(&with("/data/0/id", json!("jane.doe@example.com"))),
        ),
        har_entry("GET", url, None, 200, Some(&with("/data/1/is_roaming", json!(17)))),
        har_entry("GET", url, None, 201, Some(&page)),
        har_entry(
            "GET",
            "https://staging.example.net/v2/nothing-here",
            None,
            200,
            Some(&page),
        ),
    ]
}

#[test]
fn each_mutation_of_the_documented_answer_is_one_finding() {
    let report = check(har(mutated()));
    assert_eq!(
        report.findings,
        [
            finding(Kind::Unmatched, "-", "GET /v2/nothing-here", 1, ""),
            finding(
                Kind::Undeclared,
                "get_esims_list",
                "/data/*/simable/surprise",
                2,
                "response: object; response: null"
            ),
            finding(
                Kind::Undecodable,
                "get_esims_list",
                "/data/*/id",
                1,
                "response: invalid type: string \"…\", expected i64"
            ),
            finding(
                Kind::Undecodable,
                "get_esims_list",
                "/data/*/is_roaming",
                1,
                "response: invalid type: integer `17`, expected a boolean (value 17)"
            ),
            finding(Kind::UnlistedStatus, "get_esims_list", "201", 1, ""),
        ]
    );
    assert_eq!(report.summary(), "payload-check: 6 entries, 5 matched, 5 findings");
    let printed = report.table() + &report.json_lines();
    for secret in ["personal@example.com", "jane.doe"] {
        assert!(!printed.contains(secret), "{secret} printed:\n{printed}");
    }
}

#[test]
fn the_recorded_airalo_sandbox_answers_are_clean() {
    let path = workspace_root().join("tests/fixtures/har/airalo-sandbox-recorded.har");
    let report = check(std::fs::read_to_string(path).unwrap());
    assert_eq!(report.findings, Vec::<Finding>::new(), "{}", report.table());
    assert_eq!(report.summary(), "payload-check: 2 entries, 2 matched, 0 findings");
}

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_payload-check"))
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
    (out.status.code().unwrap(), text)
}

#[test]
fn the_command_prints_json_findings_and_exits_by_outcome() {
    let dir = std::env::temp_dir().join(format!("payload-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut entries = mutated();
    entries[0]["request"]["headers"] = json!([{"name": "Authorization", "value": "Bearer s3cr3t-token"}]);
    let findings = dir.join("mutated.har");
    std::fs::write(&findings, har(entries)).unwrap();
    let clean = dir.join("clean.har");
    let page = response_example(&spec("airalo"), "getEsimsList", "");
    std::fs::write(
        &clean,
        har(vec![har_entry(
            "GET",
            "http://localhost:1/x/v2/sims",
            None,
            200,
            Some(&page),
        )]),
    )
    .unwrap();
    let broken = dir.join("broken.har");
    std::fs::write(&broken, "{\"log\": 1}").unwrap();

    let (code, out) = run(&["--format", "json", findings.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.last(), Some(&"payload-check: 6 entries, 5 matched, 5 findings"));
    for line in &lines[..lines.len() - 1] {
        let finding: Value = serde_json::from_str(line).unwrap();
        for key in ["provider", "operation", "kind", "pointer", "count"] {
            assert!(finding.get(key).is_some(), "{key} missing in {line}");
        }
    }
    assert!(!out.contains("s3cr3t"), "{out}");
    let (code, out) = run(&[findings.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.starts_with("PROVIDER  OPERATION"), "{out}");

    assert_eq!(
        run(&[clean.to_str().unwrap()]),
        (0, "payload-check: 1 entries, 1 matched, 0 findings\n".into())
    );
    assert_eq!(run(&[broken.to_str().unwrap()]).0, 2);
    assert_eq!(run(&[dir.join("missing.har").to_str().unwrap()]).0, 2);
    assert_eq!(run(&[]).0, 2);
    std::fs::remove_dir_all(dir).unwrap();
}
