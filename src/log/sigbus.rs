//! A clear exit instead of a crash when a mapped log shrinks under us.
//!
//! Reading a memory-mapped file past its new end after another process
//! truncated it raises SIGBUS, which would kill auditui with no word about
//! which file. Each mapping is registered here; a SIGBUS inside one prints
//! `auditui: FILE: ...` and exits with status 2 (an I/O error). A SIGBUS
//! anywhere else goes to the handler that was there before (Rust's own), as
//! if this module did not exist.
//!
//! The handler may only do async-signal-safe work: it walks a lock-free
//! list of registrations that are never freed (one small node per file
//! mapped in the life of the process), calls `write(2)` and `_exit(2)`.

use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

/// One mapped range and the message to print for it.
struct Registration {
    start: usize,
    end: usize,
    message: Box<[u8]>,
    live: AtomicBool,
    next: AtomicPtr<Registration>,
}

static REGISTRATIONS: AtomicPtr<Registration> = AtomicPtr::new(std::ptr::null_mut());
static INSTALL: Once = Once::new();
/// The action that was installed before ours, for faults we do not own.
static mut PREVIOUS: Option<libc::sigaction> = None;

/// Keeps a mapping registered; drop it before unmapping.
pub struct Watch(&'static Registration);

impl Drop for Watch {
    fn drop(&mut self) {
        self.0.live.store(false, Ordering::Release);
    }
}

/// Register `bytes` (a mapping of the file `name`) until the watch drops.
pub fn watch(bytes: &[u8], name: &str) -> Watch {
    INSTALL.call_once(install);
    let message = format!(
        "auditui: {}: the file shrank while it was being read (truncated by another process?), so it cannot be verified as it was\n",
        crate::text::for_terminal(name)
    );
    let registration: &'static Registration = Box::leak(Box::new(Registration {
        start: bytes.as_ptr() as usize,
        end: bytes.as_ptr() as usize + bytes.len(),
        message: message.into_bytes().into_boxed_slice(),
        live: AtomicBool::new(true),
        next: AtomicPtr::new(std::ptr::null_mut()),
    }));
    let mut head = REGISTRATIONS.load(Ordering::Acquire);
    loop {
        registration.next.store(head, Ordering::Relaxed);
        match REGISTRATIONS.compare_exchange(
            head,
            std::ptr::from_ref(registration).cast_mut(),
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => return Watch(registration),
            Err(current) => head = current,
        }
    }
}

fn install() {
    // SAFETY: plain libc calls on zero-initialised C structs; PREVIOUS is
    // written once, here, before our handler can run.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigbus as *const () as usize;
        action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
        libc::sigemptyset(&mut action.sa_mask);
        let mut previous: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGBUS, &action, &mut previous) == 0 {
            PREVIOUS = Some(previous);
        }
    }
}

extern "C" fn on_sigbus(
    signal: libc::c_int,
    info: *mut libc::siginfo_t,
    context: *mut libc::c_void,
) {
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers;
    // registrations are leaked, so every pointer in the list stays valid.
    unsafe {
        let address = (*info).si_addr() as usize;
        let mut node = REGISTRATIONS.load(Ordering::Acquire);
        while let Some(registration) = node.as_ref() {
            if registration.live.load(Ordering::Acquire)
                && (registration.start..registration.end).contains(&address)
            {
                let message = &registration.message;
                libc::write(2, message.as_ptr().cast(), message.len());
                libc::_exit(2);
            }
            node = registration.next.load(Ordering::Acquire);
        }
        forward(signal, info, context);
    }
}

/// Hand a fault we do not own to the previous handler, or restore the
/// default action so that returning re-raises it and the process stops.
unsafe fn forward(signal: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    // SAFETY: PREVIOUS was written before this handler was installed.
    let previous = unsafe { *std::ptr::addr_of!(PREVIOUS) };
    match previous {
        Some(p) if p.sa_flags & libc::SA_SIGINFO != 0 && p.sa_sigaction > 1 => {
            let handler: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                unsafe { std::mem::transmute(p.sa_sigaction) };
            handler(signal, info, context);
        }
        Some(p) if p.sa_sigaction > 1 => {
            let handler: extern "C" fn(libc::c_int) =
                unsafe { std::mem::transmute(p.sa_sigaction) };
            handler(signal);
        }
        _ => unsafe {
            let mut default: libc::sigaction = std::mem::zeroed();
            default.sa_sigaction = libc::SIG_DFL;
            libc::sigaction(signal, &default, std::ptr::null_mut());
        },
    }
}
