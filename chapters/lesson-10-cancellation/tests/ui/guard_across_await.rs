use std::sync::{Arc, Mutex};

async fn add_one(total: Arc<Mutex<u64>>) {
    let mut guard = total.lock().unwrap();
    tokio::task::yield_now().await; // the guard is still alive here
    *guard += 1;
}

fn main() {
    let total = Arc::new(Mutex::new(0));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        tokio::spawn(add_one(total)).await.unwrap();
    });
}
