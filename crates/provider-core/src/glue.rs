/// Connects a generated `Client` to the shared [`Runtime`](crate::Runtime): `FromParts`
/// (so `ClientConfig::build` can assemble it) and the `ClientHooks` that authorize each
/// request and send it through `Runtime::execute`. Invoke it once in each client crate,
/// beside the generated module (the orphan rule keeps these impls out of this crate).
/// It reads the facts `cargo xtask regen` generated from the spec beside the client, at the
/// crate root: `PROVIDER` (the descriptor), `ANONYMOUS_OPERATIONS` (sent without
/// credentials), `RATE_LIMITS` (the documented limits), `BODY_FAILURES` (operations whose
/// 200 can be a refusal) and `ROUTES` (each operation's method and path template), all by
/// method name, which is what progenitor puts in
/// `OperationInfo::operation_id`.
// `crate::` is meant: the generated items live in the client crate that invokes the macro.
#[allow(clippy::crate_in_macro_def)]
#[macro_export]
macro_rules! connect_client {
    ($client:ty) => {
        impl $crate::FromParts for $client {
            const PROVIDER: &'static str = crate::PROVIDER.name;
            const DESCRIPTOR: &'static $crate::Descriptor = &crate::PROVIDER;
            const RATE_LIMITS: &'static [$crate::OperationLimit] = crate::RATE_LIMITS;
            const BODY_FAILURES: &'static [$crate::BodyFailure] = crate::BODY_FAILURES;
            const ROUTES: &'static [$crate::Route] = crate::ROUTES;

            fn from_parts(base_url: &str, http: ::reqwest::Client, runtime: $crate::Runtime) -> Self {
                <$client>::new_with_client(base_url, http, runtime)
            }
        }

        impl ::progenitor_client::ClientHooks<$crate::Runtime> for $client {
            async fn pre<E>(
                &self,
                request: &mut ::reqwest::Request,
                info: &::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), ::progenitor_client::Error<E>> {
                use ::progenitor_client::ClientInfo;
                let anonymous = crate::ANONYMOUS_OPERATIONS.contains(&info.operation_id);
                let prepared = self
                    .inner()
                    .prepare(self.client(), request, info, anonymous)
                    .await;
                prepared.map_err(::progenitor_client::Error::Custom)
            }

            async fn exec(
                &self,
                request: ::reqwest::Request,
                info: &::progenitor_client::OperationInfo,
            ) -> ::reqwest::Result<::reqwest::Response> {
                use ::progenitor_client::ClientInfo;
                self.inner().execute(self.client(), request, info).await
            }
        }
    };
}
