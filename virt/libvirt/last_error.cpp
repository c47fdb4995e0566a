#include "virt/libvirt/last_error.hpp"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "virt/libvirt/libvirt_codes.hpp"

namespace podvisor::virt {

error last_libvirt_error(std::string what) {
  const virError* e = virGetLastError();
  if (e == nullptr || e->code == VIR_ERR_OK)
    return error{errc::internal, "libvirt failed without an error", std::move(what)};
  error out{classify_libvirt_error(e->code, e->domain), e->message ? e->message : "", std::move(what)};
  virResetLastError();
  return out;
}

} // namespace podvisor::virt
