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
//!
//! While the browser owns the terminal it leaves a saved terminal state
//! here ([`restore_terminal_on_exit`]); the handler puts it back
//! (`tcsetattr` and a few escape sequences are async-signal-safe too), so
//! the user is not left in raw mode on the alternate screen.

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

/// The terminal state to put back before exiting, while a full-screen
/// program holds the terminal (null otherwise).
static TERMINAL: AtomicPtr<libc::termios> = AtomicPtr::new(std::ptr::null_mut());

/// Mouse reporting off, main screen back, cursor shown: what the browser's
/// own restore writes.
const LEAVE_FULL_SCREEN: &[u8] =
    b"\x1b[?1006l\x1b[?1015l\x1b[?1003l\x1b[?1002l\x1b[?1000l\x1b[?1049l\x1b[?25h";

/// Save the terminal state of stdout now (before raw mode) so that a fatal
/// SIGBUS restores it; `false` when stdout is not a terminal.
pub fn restore_terminal_on_exit() -> bool {
    // SAFETY: termios is plain integers, for which all zeroes is a value.
    let mut state: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: tcgetattr writes a termios the size of its argument.
    if unsafe { libc::tcgetattr(1, &mut state) } != 0 {
        return false;
    }
    let saved = Box::into_raw(Box::new(state));
    let old = TERMINAL.swap(saved, Ordering::AcqRel);
    if !old.is_null() {
        // SAFETY: only this function allocates these, with Box.
        drop(unsafe { Box::from_raw(old) });
    }
    true
}

/// The terminal was given back normally: nothing to restore any more.
/// The saved state is leaked on purpose: a handler may be reading it.
pub fn terminal_restored() {
    TERMINAL.store(std::ptr::null_mut(), Ordering::Release);
}

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
                let terminal = TERMINAL.load(Ordering::Acquire);
                if let Some(state) = terminal.as_ref() {
                    libc::write(
                        1,
                        LEAVE_FULL_SCREEN.as_ptr().cast(),
                        LEAVE_FULL_SCREEN.len(),
                    );
                    libc::tcsetattr(1, libc::TCSANOW, state);
                }
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
            // SAFETY: with SA_SIGINFO set, sa_sigaction is a three-argument handler.
            let handler: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                unsafe { std::mem::transmute(p.sa_sigaction) };
            handler(signal, info, context);
        }
        Some(p) if p.sa_sigaction > 1 => {
            // SAFETY: without SA_SIGINFO, sa_sigaction is a one-argument handler.
            let handler: extern "C" fn(libc::c_int) =
                unsafe { std::mem::transmute(p.sa_sigaction) };
            handler(signal);
        }
        // SAFETY: a zeroed sigaction is valid (no flags, empty mask), and
        // SIG_DFL for a signal is always allowed.
        _ => unsafe {
            let mut default: libc::sigaction = std::mem::zeroed();
            default.sa_sigaction = libc::SIG_DFL;
            libc::sigaction(signal, &default, std::ptr::null_mut());
        },
    }
}
