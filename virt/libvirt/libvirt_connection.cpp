#include "virt/libvirt/libvirt_connection.hpp"

#include <sys/utsname.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "common/log.hpp"
#include "virt/libvirt/device_stats.hpp"
#include "virt/libvirt/event_loop.hpp"
#include "virt/libvirt/last_error.hpp"
#include "virt/libvirt/libvirt_codes.hpp"

namespace podvisor::virt {

namespace {

/// What libvirt's callbacks reach: the user's callbacks and the state that makes "once
/// per loss" and "nothing after close" hold. Shared between the connection and every
/// registration (each registration's opaque is a heap shared_ptr that libvirt frees
/// through free_target when it lets the registration go).
struct callback_target {
  connection_callbacks cb;
  /// Held while a callback runs; recursive so a callback may drop the connection.
  std::recursive_mutex deliver;
  bool closed = false;       // guarded by deliver
  bool loss_reported = false; // guarded by deliver; reset by reconnect

  void deliver_event(const domain_event& e) {
    std::lock_guard lock{deliver};
    if (!closed && cb.on_domain_event)
      cb.on_domain_event(e);
  }

  void report_lost(const error& e) {
    std::lock_guard lock{deliver};
    if (closed || loss_reported)
      return;
    loss_reported = true;
    if (cb.on_connection_lost)
      cb.on_connection_lost(e);
  }
};

using target_ptr = std::shared_ptr<callback_target>;

void* new_opaque(const target_ptr& t) {
  return new target_ptr(t);
}

void free_target(void* opaque) {
  delete static_cast<target_ptr*>(opaque);
}

callback_target& target_of(void* opaque) {
  return **static_cast<target_ptr*>(opaque);
}

int on_lifecycle(virConnectPtr /*conn*/, virDomainPtr dom, int event, int detail, void* opaque) {
  const char* name = virDomainGetName(dom);
  if (auto e = decode_lifecycle_event(name ? name : "", event, detail))
    target_of(opaque).deliver_event(*e);
  return 0;
}

void on_job_completed(virConnectPtr /*conn*/, virDomainPtr dom, virTypedParameterPtr params, int nparams,
                      void* opaque) {
  domain_event e;
  e.what = domain_event::kind::job_completed;
  const char* name = virDomainGetName(dom);
  e.domain = name ? name : "";
  int operation = VIR_DOMAIN_JOB_OPERATION_UNKNOWN;
  if (virTypedParamsGetInt(params, nparams, VIR_DOMAIN_JOB_OPERATION, &operation) < 0)
    virResetLastError();
  e.detail = job_operation_name(operation);
  target_of(opaque).deliver_event(e);
}

void on_close(virConnectPtr /*conn*/, int reason, void* opaque) {
  const char* why = "unknown reason";
  switch (reason) {
    case VIR_CONNECT_CLOSE_REASON_ERROR: why = "misc I/O error"; break;
    case VIR_CONNECT_CLOSE_REASON_EOF: why = "the daemon closed the connection"; break;
    case VIR_CONNECT_CLOSE_REASON_KEEPALIVE: why = "keepalive timer triggered"; break;
    case VIR_CONNECT_CLOSE_REASON_CLIENT: return; // we closed it ourselves
    default: break;
  }
  target_of(opaque).report_lost(error{errc::unavailable, why, "libvirt connection lost"});
}

/// libvirt's C callbacks through its generic pointer type; the detour through
/// void(*)() is the sanctioned way to cast between function pointer types.
template <class F>
virConnectDomainEventGenericCallback generic(F* f) {
  return reinterpret_cast<virConnectDomainEventGenericCallback>(reinterpret_cast<void (*)()>(f));
}

error last_error(std::string what) { return last_libvirt_error(std::move(what)); }

/// An owned libvirt handle released with `Free` (virConnectClose drops one reference,
/// virDomainFree frees a domain handle); move-only.
template <class T, int (*Free)(T*)>
class owned_handle {
public:
  explicit owned_handle(T* p) : p_(p) {}
  owned_handle(owned_handle&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  owned_handle(const owned_handle&) = delete;
  owned_handle& operator=(const owned_handle&) = delete;
  owned_handle& operator=(owned_handle&&) = delete;
  ~owned_handle() {
    if (p_ != nullptr)
      Free(p_);
  }
  T* get() const { return p_; }

private:
  T* p_;
};

/// A counted reference to a connection (virConnectRef / virConnectClose).
using conn_ref = owned_handle<virConnect, &virConnectClose>;
/// An owned domain handle (virDomainFree).
using domain_ref = owned_handle<virDomain, &virDomainFree>;

class libvirt_connection final : public connection {
public:
  libvirt_connection(std::string uri, connection_callbacks cb, connection_options opts)
      : uri_(std::move(uri)), opts_(std::move(opts)), target_(std::make_shared<callback_target>()),
        log_("libvirt", uri_) {
    target_->cb = std::move(cb);
    detail::acquire_event_loop();
  }

  libvirt_connection(const libvirt_connection&) = delete;
  libvirt_connection& operator=(const libvirt_connection&) = delete;

  ~libvirt_connection() override {
    {
      // Waits for a callback running on the loop thread; afterwards none is delivered.
      std::lock_guard lock{target_->deliver};
      target_->closed = true;
    }
    {
      std::lock_guard lock{mutex_};
      close_locked();
    }
    detail::release_event_loop();
  }

  error open() {
    std::lock_guard lock{mutex_};
    return open_locked();
  }

  expected<std::string> define_domain(const std::string& xml) override {
    auto c = acquire("define domain");
    if (!c)
      return std::move(c).error();
    virDomainPtr d = virDomainDefineXMLFlags(c->get(), xml.c_str(), VIR_DOMAIN_DEFINE_VALIDATE);
    if (d == nullptr)
      return fail(*c, "define domain");
    domain_ref dom{d};
    const char* name = virDomainGetName(d);
    return std::string{name ? name : ""};
  }

  error start_domain(const std::string& name) override {
    return on_domain(name, "start domain", [](virDomainPtr d) { return virDomainCreate(d); });
  }

  error shutdown_domain(const std::string& name) override {
    return on_domain(name, "shut down domain", [](virDomainPtr d) {
      int rc = virDomainShutdownFlags(d, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN);
      const virError* e = rc < 0 ? virGetLastError() : nullptr;
      if (e != nullptr && (e->code == VIR_ERR_INVALID_ARG || e->code == VIR_ERR_ARGUMENT_UNSUPPORTED ||
                           e->code == VIR_ERR_NO_SUPPORT)) {
        // A driver without the ACPI flag (test:///): its default method.
        virResetLastError();
        rc = virDomainShutdown(d);
      }
      return rc;
    });
  }

  error destroy_domain(const std::string& name) override {
    auto c = acquire("destroy domain " + name);
    if (!c)
      return std::move(c).error();
    auto d = lookup(*c, name, "destroy domain " + name);
    if (!d)
      return std::move(d).error();
    if (virDomainDestroy(d->get()) == 0)
      return {};
    error e = fail(*c, "destroy domain " + name);
    // "domain is not running": what the caller wanted is already true.
    if (e == errc::conflict && virDomainIsActive(d->get()) == 0)
      return {};
    virResetLastError();
    return e;
  }

  error undefine_domain(const std::string& name) override {
    auto c = acquire("undefine domain " + name);
    if (!c)
      return std::move(c).error();
    auto d = lookup(*c, name, "undefine domain " + name);
    if (!d)
      return d.error() == errc::not_found ? error{} : std::move(d).error();
    constexpr unsigned all = VIR_DOMAIN_UNDEFINE_NVRAM | VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                             VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA | VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA;
    if (virDomainUndefineFlags(d->get(), all) == 0)
      return {};
    const virError* le = virGetLastError();
    if (le != nullptr && (le->code == VIR_ERR_INVALID_ARG || le->code == VIR_ERR_ARGUMENT_UNSUPPORTED ||
                          le->code == VIR_ERR_NO_SUPPORT)) {
      // A driver that knows fewer flags (test:///): without them there is nothing of
      // theirs to remove either.
      virResetLastError();
      if (virDomainUndefineFlags(d->get(), 0) == 0)
        return {};
    }
    error e = fail(*c, "undefine domain " + name);
    return e == errc::not_found ? error{} : e;
  }

  error suspend_domain(const std::string& name) override {
    return on_domain(name, "suspend domain", [](virDomainPtr d) { return virDomainSuspend(d); });
  }

  error resume_domain(const std::string& name) override {
    return on_domain(name, "resume domain", [](virDomainPtr d) { return virDomainResume(d); });
  }

  expected<domain_status> status(const std::string& name) override {
    const std::string what = "status of domain " + name;
    auto c = acquire(what);
    if (!c)
      return std::move(c).error();
    auto d = lookup(*c, name, what);
    if (!d)
      return std::move(d).error();
    int state = 0;
    int reason = 0;
    if (virDomainGetState(d->get(), &state, &reason, 0) < 0)
      return fail(*c, what);
    return decode_domain_state(state, reason);
  }

  expected<domain_stats> stats(const std::string& name) override {
    const std::string what = "stats of domain " + name;
    auto c = acquire(what);
    if (!c)
      return std::move(c).error();
    auto d = lookup(*c, name, what);
    if (!d)
      return std::move(d).error();
    virDomainInfo info{};
    if (virDomainGetInfo(d->get(), &info) < 0)
      return fail(*c, what);
    domain_stats s;
    s.cpu_time_ns = info.cpuTime;
    s.memory_kib = info.memory;
    s.vcpus = info.nrVirtCpu;
    if (info.state != VIR_DOMAIN_SHUTOFF) {
      s.qemu_pid = read_qemu_pid(name);
      if (auto e = device_stats(*c, d->get(), what, s); !e.ok())
        return e;
    }
    return s;
  }

  expected<std::vector<std::string>> list_domains() override {
    auto c = acquire("list domains");
    if (!c)
      return std::move(c).error();
    virDomainPtr* doms = nullptr;
    int n = virConnectListAllDomains(c->get(), &doms, 0);
    if (n < 0)
      return fail(*c, "list domains");
    std::vector<std::string> names;
    names.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      domain_ref d{doms[i]};
      const char* name = virDomainGetName(d.get());
      names.emplace_back(name ? name : "");
    }
    free(doms); // NOLINT: allocated by libvirt with malloc
    return names;
  }

  error load_domain_capabilities() override {
    const std::string what = "domain capabilities";
    auto c = acquire(what);
    if (!c)
      return std::move(c).error();
    utsname host{};
    const char* arch = ::uname(&host) == 0 ? host.machine : nullptr;
    // No emulator, machine or virt type: the daemon's defaults for this architecture,
    // the binary a domain of the host's architecture uses (as probe_qemu_capabilities).
    char* caps = virConnectGetDomainCapabilities(c->get(), nullptr, arch, nullptr, nullptr, 0);
    if (caps == nullptr)
      return fail(*c, what);
    free(caps); // NOLINT: allocated by libvirt with malloc
    return {};
  }

  bool alive() override {
    std::lock_guard lock{mutex_};
    if (conn_ == nullptr)
      return false;
    int rc = virConnectIsAlive(conn_);
    if (rc < 0)
      virResetLastError();
    return rc == 1;
  }

  error reconnect() override {
    std::lock_guard lock{mutex_};
    close_locked();
    return open_locked();
  }

private:
  error open_locked() {
    virConnectPtr c = virConnectOpen(uri_.c_str());
    if (c == nullptr)
      return last_error("open libvirt connection " + uri_);
    if (opts_.keepalive_interval_s > 0 &&
        virConnectSetKeepAlive(c, opts_.keepalive_interval_s, opts_.keepalive_count) < 0) {
      error e = last_error("set keepalive on " + uri_);
      // Local drivers (test:///, an embedded driver) have no keepalive: nothing to do.
      if (e != errc::unsupported) {
        virConnectClose(c);
        return e;
      }
    }
    lifecycle_id_ = virConnectDomainEventRegisterAny(c, nullptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                     generic(&on_lifecycle), new_opaque(target_), free_target);
    if (lifecycle_id_ < 0) {
      error e = last_error("register lifecycle events on " + uri_);
      virConnectClose(c);
      return e;
    }
    void* job_opaque = new_opaque(target_);
    job_id_ = virConnectDomainEventRegisterAny(c, nullptr, VIR_DOMAIN_EVENT_ID_JOB_COMPLETED,
                                               generic(&on_job_completed), job_opaque, free_target);
    if (job_id_ < 0) {
      // Not fatal: lifecycle events carry what the launcher needs; job events add detail.
      log_.debug("no job-completed events: {}", last_error("").message);
      free_target(job_opaque);
    }
    void* close_opaque = new_opaque(target_);
    close_registered_ = virConnectRegisterCloseCallback(c, on_close, close_opaque, free_target) == 0;
    if (!close_registered_) {
      log_.debug("no close callback: {}", last_error("").message);
      free_target(close_opaque);
    }
    conn_ = c;
    std::lock_guard lock{target_->deliver};
    target_->loss_reported = false;
    return {};
  }

  void close_locked() {
    if (conn_ == nullptr)
      return;
    if (lifecycle_id_ >= 0)
      virConnectDomainEventDeregisterAny(conn_, lifecycle_id_);
    if (job_id_ >= 0)
      virConnectDomainEventDeregisterAny(conn_, job_id_);
    if (close_registered_)
      virConnectUnregisterCloseCallback(conn_, on_close);
    virResetLastError(); // deregistering on a dead connection fails; nothing to do about it
    virConnectClose(conn_);
    virResetLastError();
    conn_ = nullptr;
    lifecycle_id_ = job_id_ = -1;
    close_registered_ = false;
  }

  /// A reference to the current connection, or unavailable when there is none.
  expected<conn_ref> acquire(const std::string& what) {
    std::lock_guard lock{mutex_};
    if (conn_ == nullptr)
      return error{errc::unavailable, "not connected to " + uri_, what};
    virConnectRef(conn_);
    return conn_ref{conn_};
  }

  expected<domain_ref> lookup(const conn_ref& c, const std::string& name, const std::string& what) {
    virDomainPtr d = virDomainLookupByName(c.get(), name.c_str());
    if (d == nullptr)
      return fail(c, what);
    return domain_ref{d};
  }

  /// Runs `op` on the named domain; 0 is success, anything else reads libvirt's error.
  template <class Op>
  error on_domain(const std::string& name, std::string_view verb, Op op) {
    std::string what{verb};
    what += ' ';
    what += name;
    auto c = acquire(what);
    if (!c)
      return std::move(c).error();
    auto d = lookup(*c, name, what);
    if (!d)
      return std::move(d).error();
    if (op(d->get()) < 0)
      return fail(*c, what);
    return {};
  }

  /// The last error, classified; an unavailable error on a connection that is no longer
  /// alive is also reported as a loss (once, on the event loop thread), for drivers
  /// whose close callback did not fire.
  error fail(const conn_ref& c, std::string what) {
    error e = last_error(std::move(what));
    if (e == errc::unavailable && virConnectIsAlive(c.get()) != 1) {
      virResetLastError();
      detail::post_to_event_loop([t = target_, e] { t->report_lost(e); });
    }
    return e;
  }

  /// The per-interface and per-disk counters (virDomainListGetStats), under libvirt's
  /// names for the devices (the caller knows the VMI's: name_devices).
  error device_stats(const conn_ref& c, virDomainPtr d, const std::string& what, domain_stats& out) {
    virDomainPtr doms[] = {d, nullptr};
    virDomainStatsRecordPtr* records = nullptr;
    if (virDomainListGetStats(doms, VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK, &records, 0) < 0)
      return fail(c, what);
    std::unique_ptr<virDomainStatsRecordPtr, void (*)(virDomainStatsRecordPtr*)> hold{records,
                                                                                      virDomainStatsRecordListFree};
    if (records == nullptr || records[0] == nullptr)
      return {}; // the domain went away meanwhile: no counters
    decode_device_stats(records[0]->params, records[0]->nparams, out);
    return {};
  }

  std::int64_t read_qemu_pid(const std::string& name) const {
    if (opts_.qemu_pid_dir.empty())
      return 0;
    std::ifstream in{opts_.qemu_pid_dir + "/" + name + ".pid"};
    std::int64_t pid = 0;
    if (!(in >> pid) || pid <= 0)
      return 0;
    return pid;
  }

  const std::string uri_;
  const connection_options opts_;
  const target_ptr target_;
  log::logger log_;

  std::mutex mutex_; // guards the members below
  virConnectPtr conn_ = nullptr;
  int lifecycle_id_ = -1;
  int job_id_ = -1;
  bool close_registered_ = false;
};

} // namespace

expected<std::unique_ptr<connection>> open_connection(const std::string& uri, connection_callbacks cb,
                                                      connection_options opts) {
  detail::init_libvirt_once();
  auto c = std::make_unique<libvirt_connection>(uri, std::move(cb), std::move(opts));
  if (error e = c->open())
    return e;
  return std::unique_ptr<connection>{std::move(c)};
}

} // namespace podvisor::virt
