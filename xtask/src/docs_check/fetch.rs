//! The polite fetcher: one request at a time (so at most one in flight per host), each host's
//! requests spaced, conditional GETs with the lock's validators, robots.txt honoured,
//! `Retry-After` honoured on 429/503, a timeout and a size cap on every body.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{
    ACCEPT, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, LOCATION, RETRY_AFTER, USER_AGENT,
};

use super::normalise::Source;
use super::pages::{self, Page, Platform};

/// Names the project, so that a site's operator knows who reads its pages and why.
pub const AGENT: &str = concat!(
    "provider-clients-docs-check/",
    env!("CARGO_PKG_VERSION"),
    " (compares API docs with hand-curated OpenAPI specs, once a day)"
);
/// The product token robots.txt groups are matched against.
const ROBOTS_AGENT: &str = "provider-clients-docs-check";
const GITHUB_API: &str = "https://api.github.com";

/// How a run fetches: spacing, limits and where each docs host is served from.
#[derive(Clone, Debug)]
pub struct Politeness {
    /// `--origin HOST=URL`: a docs host served from another base URL.
    pub origins: BTreeMap<String, String>,
    /// The least time between two requests to one host.
    pub spacing: Duration,
    pub timeout: Duration,
    /// The largest body read; a larger one fails the page.
    pub max_bytes: usize,
    /// The longest `Retry-After` waited for; a longer one fails the page.
    pub max_retry_after: Duration,
}

impl Default for Politeness {
    fn default() -> Self {
        Politeness {
            origins: BTreeMap::new(),
            spacing: Duration::from_secs(1),
            timeout: Duration::from_secs(20),
            max_bytes: 2 << 20,
            max_retry_after: Duration::from_secs(120),
        }
    }
}

/// The validators of a stored response, sent back as a conditional GET.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// What a page's fetch found.
#[derive(Debug)]
pub enum Outcome {
    Body {
        text: String,
        source: Source,
        validators: Validators,
    },
    /// 304: the stored snapshot still holds.
    NotModified,
    /// 404 or 410: the page is gone.
    Gone(u16),
}

#[derive(Debug)]
pub struct Fetched {
    pub outcome: Outcome,
    /// Where a permanent redirect sent the page (its docs-site URL, not the mirror's).
    pub moved_to: Option<String>,
}

pub struct Fetcher {
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
    politeness: Politeness,
    last: HashMap<String, Instant>,
    /// Each host's robots.txt (`None`: there is none), or why it could not be read.
    robots: HashMap<String, Result<Option<String>, String>>,
    /// Requests sent, robots.txt included.
    pub requests: usize,
}

impl Fetcher {
    pub fn new(politeness: Politeness) -> anyhow::Result<Fetcher> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(politeness.timeout)
            .build()?;
        Ok(Fetcher {
            rt,
            client,
            politeness,
            last: HashMap::new(),
            robots: HashMap::new(),
            requests: 0,
        })
    }

    /// A page's machine-readable form: the `.md` twin (then the page itself) on Apidog and
    /// Mintlify, the raw file for GitHub, the page as text otherwise.
    pub fn page(&mut self, page: &Page, validators: &Validators) -> Result<Fetched, String> {
        let base = self.base(pages::host(&page.url));
        let path = pages::path(&page.url);
        let tries: Vec<(String, Source)> = match page.platform {
            Platform::Apidog | Platform::Mintlify => vec![
                (format!("{base}{path}.md"), Source::Markdown),
                (format!("{base}{path}"), Source::Html),
            ],
            Platform::Github => {
                let url = github_file(&base, path).ok_or_else(|| format!("{}: not a GitHub file URL", page.url))?;
                vec![(url, Source::Markdown)]
            }
            Platform::Plain => vec![(format!("{base}{path}"), Source::Html)],
        };
        let mut last = None;
        for (url, source) in tries {
            let fetched = self.follow(&url, source, validators, &page.url)?;
            match fetched.outcome {
                // The twin's answer says more than the HTML fallback's.
                Outcome::Gone(_) => last = last.or(Some(fetched)),
                _ => return Ok(fetched),
            }
        }
        Ok(last.expect("at least one URL is tried"))
    }

    /// A site's `llms.txt`.
    pub fn index(&mut self, host: &str, validators: &Validators) -> Result<Fetched, String> {
        let url = format!("{}/llms.txt", self.base(host));
        self.follow(&url, Source::Markdown, validators, &format!("https://{host}/llms.txt"))
    }

    fn base(&self, host: &str) -> String {
        match self.politeness.origins.get(host) {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("https://{host}"),
        }
    }

    fn follow(
        &mut self,
        url: &str,
        source: Source,
        validators: &Validators,
        page_url: &str,
    ) -> Result<Fetched, String> {
        let mut url = url.to_owned();
        let mut moved_to = None;
        for _ in 0..5 {
            let answer = self.get(&url, validators)?;
            match answer.status {
                StatusCode::NOT_MODIFIED => {
                    return Ok(Fetched {
                        outcome: Outcome::NotModified,
                        moved_to,
                    });
                }
                StatusCode::NOT_FOUND | StatusCode::GONE => {
                    return Ok(Fetched {
                        outcome: Outcome::Gone(answer.status.as_u16()),
                        moved_to,
                    });
                }
                s if s.is_redirection() => {
                    let location = answer
                        .location
                        .ok_or_else(|| format!("{url}: {s} without a Location"))?;
                    let next = absolute(&url, &location);
                    if matches!(s, StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT) {
                        moved_to = Some(docs_url(page_url, &next));
                    }
                    url = next;
                }
                s if s.is_success() => {
                    let source = match (source, answer.html) {
                        (Source::Markdown, true) => Source::Html,
                        (s, _) => s,
                    };
                    return Ok(Fetched {
                        outcome: Outcome::Body {
                            text: answer.body,
                            source,
                            validators: answer.validators,
                        },
                        moved_to,
                    });
                }
                s => return Err(format!("{url}: {s}")),
            }
        }
        Err(format!("{url}: more than 5 redirects"))
    }

    /// One GET, after robots.txt allows it and the host's spacing has passed; 429 and 503 are
    /// retried after their `Retry-After` (twice at most).
    fn get(&mut self, url: &str, validators: &Validators) -> Result<Answer, String> {
        let host = pages::host(url).to_owned();
        if !url.starts_with(GITHUB_API) && !self.allowed(&host, url)? {
            return Err(format!("{url}: disallowed by robots.txt"));
        }
        for attempt in 0..3 {
            let answer = self.send(&host, url, Some(validators))?;
            if !matches!(
                answer.status,
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            ) {
                return Ok(answer);
            }
            let wait = answer.retry_after.unwrap_or(self.politeness.spacing * 10);
            if attempt == 2 || wait > self.politeness.max_retry_after {
                return Err(format!("{url}: {} (Retry-After {}s)", answer.status, wait.as_secs()));
            }
            eprintln!(
                "docs-check:   {} — waiting {:.1}s as Retry-After asks",
                answer.status,
                wait.as_secs_f64()
            );
            std::thread::sleep(wait);
        }
        unreachable!("the third attempt returns")
    }

    /// Whether robots.txt lets us fetch `url`. It is read once per host; a host whose
    /// robots.txt cannot be read fails its every page without another request.
    fn allowed(&mut self, host: &str, url: &str) -> Result<bool, String> {
        if !self.robots.contains_key(host) {
            let scheme = url.split_once("://").map_or("https", |(s, _)| s);
            let robots_url = format!("{scheme}://{host}/robots.txt");
            let robot = match self.send(host, &robots_url, None) {
                Ok(answer) if answer.status.is_success() => Ok(Some(answer.body)),
                // No robots.txt (or one we may not read) allows everything (RFC 9309 §2.3.1.3).
                Ok(answer) if answer.status.is_client_error() => Ok(None),
                Ok(answer) => Err(format!(
                    "{robots_url}: {}; robots.txt must be readable before the pages are",
                    answer.status
                )),
                Err(err) => Err(err),
            };
            self.robots.insert(host.to_owned(), robot);
        }
        match &self.robots[host] {
            Ok(robots) => Ok(robots.as_ref().is_none_or(|body| {
                robotstxt::DefaultMatcher::default().one_agent_allowed_by_robots(body, ROBOTS_AGENT, url)
            })),
            Err(err) => Err(err.clone()),
        }
    }

    fn send(&mut self, host: &str, url: &str, validators: Option<&Validators>) -> Result<Answer, String> {
        if let Some(last) = self.last.get(host) {
            let since = last.elapsed();
            if since < self.politeness.spacing {
                std::thread::sleep(self.politeness.spacing - since);
            }
        }
        self.requests += 1;
        let mut request = self
            .client
            .get(url)
            .header(USER_AGENT, AGENT)
            .header(ACCEPT, accept(url));
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                request = request.header(IF_NONE_MATCH, etag);
            }
            if let Some(date) = &v.last_modified {
                request = request.header(IF_MODIFIED_SINCE, date);
            }
        }
        let max = self.politeness.max_bytes;
        let result = self.rt.block_on(async {
            let mut response = request.send().await?;
            let header = |name| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                    .map(str::to_owned)
            };
            let mut answer = Answer {
                status: response.status(),
                location: header(LOCATION),
                retry_after: header(RETRY_AFTER).as_deref().and_then(retry_after),
                html: header(reqwest::header::CONTENT_TYPE).is_some_and(|t| t.contains("html")),
                validators: Validators {
                    etag: header(ETAG),
                    last_modified: header(LAST_MODIFIED),
                },
                body: String::new(),
            };
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await? {
                body.extend_from_slice(&chunk);
                if body.len() > max {
                    return Ok(Err(format!("{url}: body larger than {max} bytes")));
                }
            }
            answer.body = String::from_utf8_lossy(&body).into_owned();
            Ok::<_, reqwest::Error>(Ok(answer))
        });
        self.last.insert(host.to_owned(), Instant::now());
        let answer = result.map_err(|e| format!("{url}: {:#}", anyhow::Error::from(e)))??;
        eprintln!("docs-check: GET {url} → {}", answer.status.as_u16());
        Ok(answer)
    }
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    retry_after: Option<Duration>,
    html: bool,
    validators: Validators,
    body: String,
}

/// `https://github.com/<owner>/<repo>/blob/<ref>/<path>` as GitHub's contents API serves the
/// raw file (with ETags; robots.txt governs crawlers of the site, not its REST API); through a
/// mirror, the page's own path.
fn github_file(base: &str, path: &str) -> Option<String> {
    if base != "https://github.com" {
        return Some(format!("{base}{path}"));
    }
    let mut parts = path.trim_start_matches('/').splitn(5, '/');
    match (parts.next(), parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(owner), Some(repo), Some("blob"), Some(reference), Some(file)) => Some(format!(
            "{GITHUB_API}/repos/{owner}/{repo}/contents/{file}?ref={reference}"
        )),
        _ => None,
    }
}

fn accept(url: &str) -> &'static str {
    if url.starts_with(GITHUB_API) {
        "application/vnd.github.raw+json"
    } else {
        "text/markdown, text/plain;q=0.9, text/html;q=0.5, */*;q=0.1"
    }
}

fn absolute(from: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_owned();
    }
    let (scheme, rest) = from.split_once("://").unwrap_or(("https", from));
    let host = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{host}/{}", location.trim_start_matches('/'))
}

/// The docs-site URL that a redirect (maybe a mirror's, maybe to a `.md` twin) to `next`
/// stands for.
fn docs_url(page_url: &str, next: &str) -> String {
    let site = format!("https://{}", pages::host(page_url));
    let next_path = pages::path(next);
    let path = next_path.strip_suffix(".md").unwrap_or(next_path);
    format!("{site}{path}")
}

fn retry_after(value: &str) -> Option<Duration> {
    if let Ok(secs) = value.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(std::time::SystemTime::now()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_github_page_is_fetched_from_the_contents_api() {
        assert_eq!(
            github_file(
                "https://github.com",
                "/Airalo/airalo-php-sdk/blob/main/src/Services/CatalogService.php"
            )
            .as_deref(),
            Some(
                "https://api.github.com/repos/Airalo/airalo-php-sdk/contents/src/Services/CatalogService.php?ref=main"
            )
        );
        assert_eq!(github_file("https://github.com", "/veloesim/api"), None);
        assert_eq!(
            github_file("http://127.0.0.1:9", "/o/r/blob/main/a.md").as_deref(),
            Some("http://127.0.0.1:9/o/r/blob/main/a.md")
        );
    }

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        assert_eq!(retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
        assert_eq!(retry_after("soon"), None);
    }
}
