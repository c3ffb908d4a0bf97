//! Handing freed memory back to the system between the two halves of a large result.
//!
//! A 20,000-guest listing is decoded by the core into about 10 MB of entries, next to the 5 MB
//! body it came from; both bindings then build the language's objects from the entries. glibc
//! keeps what the decode freed (the body, the pieces' buffers) in its arenas, so without this
//! the process's peak counts it together with the language's objects built after it.

/// Lists from this length on are worth it: trimming walks the allocator's free memory.
pub const LARGE_RESULT: usize = 1024;

/// Returns the memory the allocator holds free to the system (glibc's `malloc_trim`). Called
/// where it delays nothing the caller waits for (with the GIL released, on a tokio thread): on a
/// thread of its own it finished after the objects were made and saved less. A no-op on other C
/// libraries, whose allocators return it on their own or have no such call.
pub fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: glibc's `malloc_trim` only releases free memory, is thread-safe and may be
        // called at any time.
        #[allow(unsafe_code)]
        unsafe {
            libc::malloc_trim(0);
        }
    }
}
