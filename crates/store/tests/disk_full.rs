//! Recovery after "database or disk is full" (issue 10): the write that hit
//! the full disk is refused and leaves nothing behind, and once space is back
//! the next writes succeed on the same store, without a restart.
//!
//! The disk is a small tmpfs mounted by the test (the tests run as root, as
//! CI does; without the right to mount, the test fails and says so).

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Command;

use common::import_example;
use ipstrack_core::bundle::ContactDoc;
use ipstrack_store::{Store, StoreError};

struct Mount(std::path::PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn mount_small_disk(dir: &Path) -> Mount {
    let status = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4m", "tmpfs"])
        .arg(dir)
        .status()
        .expect("mount runs");
    assert!(
        status.success(),
        "this test mounts a 4 MiB tmpfs to fill it: run it as root"
    );
    Mount(dir.to_path_buf())
}

/// Fills the disk with a file until the file system says it is full.
fn fill(path: &Path) {
    let mut f = std::fs::File::create(path).unwrap();
    let block = vec![0_u8; 4096];
    while f.write_all(&block).is_ok() {}
    let _ = f.sync_all();
}

fn contact(n: usize) -> ContactDoc {
    common::remote_contact(6, n)
}

#[tokio::test]
async fn after_a_full_disk_the_store_writes_again_once_space_is_back() {
    let dir = tempfile::tempdir().unwrap();
    let _mount = mount_small_disk(dir.path());
    let store = Store::open(dir.path().join("full.sqlite").to_str().unwrap())
        .await
        .unwrap();
    import_example(&store, "caseload", "setup").await;
    let id = store.load().await.unwrap().dataset.referrals[0].id.clone();
    let before = store.contact_count(&id).await.unwrap();

    let filler = dir.path().join("filler");
    fill(&filler);
    // Writes fail while the disk is full (a large import certainly does).
    let mut refused = 0;
    for n in 0..50 {
        if store.add_contact(&id, &contact(n), "es1").await.is_err() {
            refused += 1;
        }
    }
    let mut big = store.export().await.unwrap();
    for n in 0..2_000 {
        big.referrals[0]
            .contacts
            .get_or_insert_default()
            .push(contact(n));
    }
    match store.import(&big, "cli").await {
        Err(StoreError::Full) => {}
        other => panic!("the disk is full: {other:?}"),
    }
    let written = store.contact_count(&id).await.unwrap() - before;
    assert!(refused > 0 || written < 50);

    // Space is back: the next writes succeed, and nothing is half-written.
    std::fs::remove_file(&filler).unwrap();
    store
        .add_contact(&id, &contact(99), "es1")
        .await
        .unwrap_or_else(|e| panic!("the store should write again once space is back: {e}"));
    assert_eq!(
        store.contact_count(&id).await.unwrap(),
        before + written + 1
    );
    store.load().await.unwrap();
    assert!(store.integrity_check().await.unwrap().is_empty());
    store.close().await;
}
