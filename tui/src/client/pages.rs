//! Lists read whole: every page of a paged call, 200 rows at a time (the
//! most the server gives), so no list stops at its first page.

use std::future::Future;

use portal_proto::pb;

/// Every row of a paged list: `fetch` is asked for each page in turn and
/// gives its rows and the next page's cursor ("" after the last).
pub async fn every_page<T, Fut>(
    mut fetch: impl FnMut(pb::PageRequest) -> Fut,
) -> Result<Vec<T>, tonic::Status>
where
    Fut: Future<Output = Result<(Vec<T>, String), tonic::Status>>,
{
    let mut all = Vec::new();
    let mut cursor = String::new();
    loop {
        let (rows, next) = fetch(pb::PageRequest {
            page_size: 200,
            cursor,
        })
        .await?;
        all.extend(rows);
        if next.is_empty() {
            return Ok(all);
        }
        cursor = next;
    }
}
