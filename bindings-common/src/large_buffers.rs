//! A global allocator for a binding's native module: large buffers straight from the system and
//! back to it when freed.
//!
//! A 20,000-guest listing passes through a few buffers of one to seven megabytes (the inflated
//! body, each piece's entries, the tape Node reads). glibc serves a block that large with `mmap`
//! only until one such block is freed: it then raises its mmap threshold to that size, and the
//! next blocks come from its heap, which it keeps after they are freed. A process then holds the
//! last listing's buffers on top of the language's objects built from them. glibc's own fix,
//! fixing the threshold (`mallopt` or `MALLOC_MMAP_THRESHOLD_`), would change the allocator of the
//! whole host process; this allocator changes only what the module itself allocates.
//!
//! Blocks of [`LARGE`] bytes or more are private anonymous mappings, grown and shrunk with
//! `mremap` (the pages move, nothing is copied) and unmapped when freed. Smaller blocks, and any
//! block aligned to more than a page, go to the system allocator unchanged. Elsewhere than Linux
//! everything goes to the system allocator.

use std::alloc::{GlobalAlloc, Layout, System};

/// Blocks from this size on are mappings of their own: glibc's default mmap threshold, before
/// it starts to move.
pub const LARGE: usize = 128 * 1024;

/// The allocator; a binding declares it with
/// `#[global_allocator] static ALLOCATOR: LargeBuffersFromTheSystem = LargeBuffersFromTheSystem;`.
#[derive(Debug, Default, Clone, Copy)]
pub struct LargeBuffersFromTheSystem;

/// Whether a block of this layout is a mapping of its own. `dealloc` and `realloc` receive the
/// layout the block was allocated with, so they reach the same answer as `alloc` did.
fn is_mapped(size: usize, align: usize) -> bool {
    cfg!(target_os = "linux") && size >= LARGE && align <= system::PAGE
}

// SAFETY: every block is either the system allocator's or a mapping of its own, by `is_mapped` of
// its layout, and each is returned to where it came from; a mapping is page-aligned, so it meets
// every alignment `is_mapped` accepts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for LargeBuffersFromTheSystem {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if is_mapped(layout.size(), layout.align()) {
            system::map(layout.size())
        } else {
            System.alloc(layout)
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if is_mapped(layout.size(), layout.align()) {
            system::map(layout.size()) // anonymous mappings start zeroed
        } else {
            System.alloc_zeroed(layout)
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if is_mapped(layout.size(), layout.align()) {
            system::unmap(ptr, layout.size())
        } else {
            System.dealloc(ptr, layout)
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let align = layout.align();
        match (is_mapped(layout.size(), align), is_mapped(new_size, align)) {
            (false, false) => System.realloc(ptr, layout, new_size),
            (true, true) => system::remap(ptr, layout.size(), new_size),
            (from_mapping, _) => {
                // Across the threshold: a new block where the new size belongs, then the old
                // one freed where it came from.
                let new_layout = Layout::from_size_align_unchecked(new_size, align);
                let moved = self.alloc(new_layout);
                if !moved.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, moved, layout.size().min(new_size));
                    if from_mapping {
                        system::unmap(ptr, layout.size());
                    } else {
                        System.dealloc(ptr, layout);
                    }
                }
                moved
            }
        }
    }
}

#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
mod system {
    /// The alignment a mapping is known to have (the smallest page size of Linux's platforms).
    pub const PAGE: usize = 4096;

    /// A new zeroed mapping of `len` bytes, or null (what `GlobalAlloc` reports failure with).
    pub unsafe fn map(len: usize) -> *mut u8 {
        let ptr = libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if ptr == libc::MAP_FAILED {
            std::ptr::null_mut()
        } else {
            ptr.cast()
        }
    }

    /// Returns a mapping made by `map` or `remap` with this length.
    pub unsafe fn unmap(ptr: *mut u8, len: usize) {
        // It fails only for an address that is not a mapping, which `GlobalAlloc`'s contract
        // rules out; there is no one to report it to.
        let _ = libc::munmap(ptr.cast(), len);
    }

    /// The mapping resized to `new_len`, moved if it must be; null (the old one intact) if the
    /// system refuses.
    pub unsafe fn remap(ptr: *mut u8, old_len: usize, new_len: usize) -> *mut u8 {
        let moved = libc::mremap(ptr.cast(), old_len, new_len, libc::MREMAP_MAYMOVE);
        if moved == libc::MAP_FAILED {
            std::ptr::null_mut()
        } else {
            moved.cast()
        }
    }
}

#[cfg(not(target_os = "linux"))]
#[allow(unsafe_code)]
mod system {
    // `is_mapped` is false everywhere but Linux, so these are never called.
    pub const PAGE: usize = 4096;
    pub unsafe fn map(_: usize) -> *mut u8 {
        std::ptr::null_mut()
    }
    pub unsafe fn unmap(_: *mut u8, _: usize) {}
    pub unsafe fn remap(_: *mut u8, _: usize, _: usize) -> *mut u8 {
        std::ptr::null_mut()
    }
}

#[cfg(all(test, target_os = "linux"))]
#[allow(unsafe_code)]
mod tests {
    use super::*;

    const ALLOCATOR: LargeBuffersFromTheSystem = LargeBuffersFromTheSystem;

    /// Fills `len` bytes with a pattern that differs at every offset of a page.
    unsafe fn fill(ptr: *mut u8, len: usize) {
        for i in 0..len {
            *ptr.add(i) = (i % 251) as u8;
        }
    }

    unsafe fn holds_pattern(ptr: *const u8, len: usize) -> bool {
        (0..len).all(|i| *ptr.add(i) == (i % 251) as u8)
    }

    /// This process's resident anonymous memory in bytes.
    fn resident_anonymous() -> usize {
        let status = std::fs::read_to_string("/proc/self/status").expect("procfs");
        let line = status
            .lines()
            .find(|l| l.starts_with("RssAnon:"))
            .expect("RssAnon");
        let kib: usize = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        kib * 1024
    }

    /// What glibc does to a listing's buffers: once one large block was freed, blocks of that
    /// size come from its heap, and freed there they stay in the process (the block allocated
    /// after them, of a size no freed block serves, keeps the heap from shrinking from its top).
    /// With `System` in place of `ALLOCATOR` the test below fails: 0 KiB come back.
    fn freed_after_a_listing(allocator: &dyn GlobalAlloc) -> usize {
        let block = Layout::from_size_align(2 << 20, 8).unwrap();
        let earlier = Layout::from_size_align(4 << 20, 8).unwrap();
        let pin = Layout::from_size_align(96 << 10, 8).unwrap();
        unsafe {
            allocator.dealloc(allocator.alloc(earlier), earlier);
            let blocks: Vec<*mut u8> = (0..24).map(|_| allocator.alloc(block)).collect();
            assert!(blocks.iter().all(|p| !p.is_null()));
            for &p in &blocks {
                std::ptr::write_bytes(p, 0xa5, block.size()); // touch every page
            }
            let pinned = allocator.alloc(pin);
            let while_held = resident_anonymous();
            for p in blocks {
                allocator.dealloc(p, block);
            }
            let after = resident_anonymous();
            allocator.dealloc(pinned, pin);
            while_held.saturating_sub(after)
        }
    }

    #[test]
    fn freed_large_blocks_leave_the_process() {
        // Other tests run on other threads; 48 MiB dwarfs what they allocate meanwhile.
        let returned = freed_after_a_listing(&ALLOCATOR);
        assert!(
            returned >= 40 << 20,
            "freeing 48 MiB returned {} KiB to the system",
            returned / 1024
        );
    }

    #[test]
    fn growing_and_shrinking_across_the_threshold_keeps_the_contents() {
        let sizes = [
            1000,
            LARGE - 1,
            LARGE,
            3 * LARGE + 17,
            40 << 20,
            LARGE + 1,
            LARGE - 8,
            24,
        ];
        unsafe {
            let mut layout = Layout::from_size_align(sizes[0], 8).unwrap();
            let mut ptr = ALLOCATOR.alloc(layout);
            fill(ptr, layout.size());
            for &size in &sizes[1..] {
                ptr = ALLOCATOR.realloc(ptr, layout, size);
                assert!(!ptr.is_null(), "realloc to {size}");
                let kept = layout.size().min(size);
                assert!(
                    holds_pattern(ptr, kept),
                    "the first {kept} bytes survive a resize to {size}"
                );
                layout = Layout::from_size_align(size, 8).unwrap();
                fill(ptr, size);
            }
            ALLOCATOR.dealloc(ptr, layout);
        }
    }

    #[test]
    fn large_zeroed_blocks_are_zero_and_page_aligned_blocks_are_aligned() {
        unsafe {
            let layout = Layout::from_size_align(LARGE * 2, 4096).unwrap();
            let ptr = ALLOCATOR.alloc_zeroed(layout);
            assert!(!ptr.is_null());
            assert_eq!(ptr as usize % 4096, 0);
            assert!((0..layout.size()).all(|i| *ptr.add(i) == 0));
            ALLOCATOR.dealloc(ptr, layout);

            // More than a page of alignment is the system allocator's to honour.
            let wide = Layout::from_size_align(LARGE * 2, 1 << 16).unwrap();
            let ptr = ALLOCATOR.alloc(wide);
            assert!(!ptr.is_null());
            assert_eq!(ptr as usize % (1 << 16), 0);
            ALLOCATOR.dealloc(ptr, wide);
        }
    }

    #[test]
    fn a_refused_mapping_is_a_null_not_a_crash() {
        // More address space than any machine maps: the allocator reports failure as null.
        let layout = Layout::from_size_align(usize::MAX / 4, 8).unwrap();
        let ptr = unsafe { ALLOCATOR.alloc(layout) };
        assert!(ptr.is_null());
    }
}
