//! The audit page's search (issue 23): newest first, filtered by who, the
//! record, its kind and a time range, a page at a time (keyset on the log's
//! position, at most `AUDIT_PAGE_MOST` entries) — on SQLite and PostgreSQL.

mod common;

use common::each_database_with_caseload;
use ipstrack_core::model::Role;
use ipstrack_store::{AUDIT_PAGE_MOST, AuditFilter, AuditSearch};

#[tokio::test]
async fn the_audit_log_is_searched_newest_first_a_page_at_a_time() {
    each_database_with_caseload(async |store, db| {
        for (i, actor) in ["ann", "bob", "ann"].iter().enumerate() {
            store
                .add_user(
                    &format!("user{i}"),
                    "a long enough password",
                    Role::Es,
                    None,
                    actor,
                )
                .await
                .unwrap();
        }
        let all = store.audit(&AuditFilter::default()).await.unwrap();
        assert!(all.len() > 3, "{}", db.name);
        // Newest first, a page of two, then the next page from its last.
        let first = store
            .audit_search(&AuditSearch {
                limit: 2,
                ..Default::default()
            })
            .await
            .unwrap();
        let newest: Vec<i64> = all.iter().rev().take(4).map(|e| e.seq).collect();
        assert_eq!(
            first.iter().map(|e| e.seq).collect::<Vec<_>>(),
            newest[..2],
            "{}",
            db.name
        );
        let next = store
            .audit_search(&AuditSearch {
                limit: 2,
                before: Some(first[1].seq),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            next.iter().map(|e| e.seq).collect::<Vec<_>>(),
            newest[2..4],
            "{}",
            db.name
        );
        // By who, and by kind of record and record.
        let ann = store
            .audit_search(&AuditSearch {
                actor: Some("ann".into()),
                limit: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            ann.iter().map(|e| e.record_id.as_str()).collect::<Vec<_>>(),
            ["user2", "user0"],
            "{}",
            db.name
        );
        let one = store
            .audit_search(&AuditSearch {
                record_type: Some("user".into()),
                record: Some("user1".into()),
                limit: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(one.len(), 1, "{}", db.name);
        assert_eq!(one[0].actor, "bob");
        // A time range: nothing before the first entry, all after it.
        let at = &all[0].at;
        let until_first = store
            .audit_search(&AuditSearch {
                until: Some(at.clone()),
                limit: 50,
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(until_first.is_empty(), "{}", db.name);
        let from_first = store
            .audit_search(&AuditSearch {
                from: Some(at.clone()),
                limit: u32::MAX,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            from_first.len(),
            all.len().min(AUDIT_PAGE_MOST as usize),
            "{}",
            db.name
        );
    })
    .await;
}
