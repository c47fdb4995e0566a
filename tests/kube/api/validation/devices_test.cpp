// Disk, filesystem and boot-order rules (kube/api/validation/devices.cpp), through
// validate(virtual_machine_instance).

#include <catch2/catch_test_macros.hpp>

#include "kube/api/validation/spec_rules.hpp"
#include "kube/api/validation/vmi.hpp"
#include "tests/kube/api/validation/fixtures.hpp"

using namespace podvisor::kube::api;
using namespace podvisor::kube::api::testing;

namespace {

disk plain_disk(std::string name) {
  disk d;
  d.name = std::move(name);
  d.disk_.emplace();
  return d;
}

} // namespace

TEST_CASE("the valid VMI fixture passes", "[kube][api][validation]") {
  CHECK(messages_of(validate(valid_vmi())).empty());
}

TEST_CASE("every disk names a volume", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.devices.disks.push_back(plain_disk("extra"));
  CHECK(messages_of(validate(vmi)) == messages{R"(spec.domain.devices.disks[3].name: Not found: "extra")"});
}

TEST_CASE("disk names are unique and RFC 1123 labels", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.devices.disks.push_back(plain_disk("rootdisk"));
  CHECK(messages_of(validate(vmi)) == messages{R"(spec.domain.devices.disks[3].name: Duplicate value: "rootdisk")"});

  vmi = valid_vmi();
  vmi.spec.domain.devices.disks[0].name = "root.disk";
  vmi.spec.volumes[0].name = "root.disk";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.devices.disks[0].name: Invalid value: "root.disk": must not contain dots)",
                    R"(spec.volumes[0].name: Invalid value: "root.disk": must not contain dots)"});

  vmi = valid_vmi();
  vmi.spec.domain.devices.disks.push_back(disk{});
  CHECK(messages_of(validate(vmi)) == messages{"spec.domain.devices.disks[3].name: Required value"});
}

TEST_CASE("a disk has at most one of disk, lun and cdrom", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.devices.disks[0].lun.emplace();
  vmi.spec.domain.devices.disks[0].cdrom.emplace();
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.devices.disks[0].lun: Forbidden: may not specify more than 1 of disk, lun and cdrom",
                    "spec.domain.devices.disks[0].cdrom: Forbidden: may not specify more than 1 of disk, lun and cdrom"});

  vmi = valid_vmi();
  vmi.spec.domain.devices.disks[1].disk_.reset(); // no target: defaulting picks disk
  CHECK(validate(vmi).empty());
}

TEST_CASE("disk buses come from the enum table", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.devices.disks[1].disk_->bus.set_raw("ide");
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.devices.disks[1].disk.bus: Unsupported value: "ide": supported values: "sata", "scsi", "usb", "virtio")"});

  for (auto bus : {disk_bus::sata, disk_bus::scsi, disk_bus::usb}) {
    vmi = valid_vmi();
    vmi.spec.domain.devices.disks[1].disk_->bus = bus;
    CHECK(validate(vmi).empty());
  }
}

TEST_CASE("a CD-ROM cannot be on the virtio bus", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.devices.disks[2].cdrom->bus = disk_bus::virtio;
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.devices.disks[2].cdrom.bus: Unsupported value: "virtio": supported values: "sata", "scsi", "usb")"});
}

TEST_CASE("disk cache, io and errorPolicy values", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.devices.disks[0].cache.set_raw("unsafe");
  vmi.spec.domain.devices.disks[0].io.set_raw("io_uring");
  vmi.spec.domain.devices.disks[1].error_policy.emplace();
  vmi.spec.domain.devices.disks[1].error_policy->set_raw("panic");
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.devices.disks[0].cache: Unsupported value: "unsafe": supported values: "directsync", "none", "writeback", "writethrough")",
                    R"(spec.domain.devices.disks[0].io: Unsupported value: "io_uring": supported values: "native", "threads")",
                    R"(spec.domain.devices.disks[1].errorPolicy: Unsupported value: "panic": supported values: "enospace", "ignore", "report", "stop")"});

  vmi = valid_vmi();
  vmi.spec.domain.devices.disks[0].cache = driver_cache::writethrough;
  vmi.spec.domain.devices.disks[0].io = driver_io::threads;
  CHECK(validate(vmi).empty());
}

TEST_CASE("boot orders are at least 1", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.devices.disks[0].boot_order = 0;
  vmi.spec.domain.devices.interfaces[0].boot_order = 0;
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.devices.disks[0].bootOrder: Invalid value: 0: must be greater than or equal to 1",
                    "spec.domain.devices.interfaces[0].bootOrder: Invalid value: 0: must be greater than or equal to 1"});
}

TEST_CASE("boot orders are unique across disks and interfaces", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.devices.disks[2].boot_order = 1;
  CHECK(messages_of(validate(vmi)) == messages{"spec.domain.devices.disks[2].bootOrder: Duplicate value: 1"});

  vmi = valid_vmi();
  vmi.spec.domain.devices.interfaces[1].boot_order = 2;
  CHECK(messages_of(validate(vmi)) == messages{"spec.domain.devices.interfaces[1].bootOrder: Duplicate value: 2"});
}

TEST_CASE("disk serials use libvirt's characters and at most 256 of them", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  vmi.spec.domain.devices.disks[0].serial = "abc 123";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.devices.disks[0].serial: Invalid value: "abc 123": must consist of alphanumeric characters, '_', '.', '+' or '-')"});
  vmi.spec.domain.devices.disks[0].serial = std::string(257, 'a');
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.devices.disks[0].serial: Too long: may not be more than 256 bytes"});
  vmi.spec.domain.devices.disks[0].serial = std::string(256, 'a');
  CHECK(validate(vmi).empty());
}

TEST_CASE("bus-specific disk options", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  auto& d = vmi.spec.domain.devices.disks[1];
  d.disk_->bus = disk_bus::sata;
  d.disk_->readonly = true;
  d.disk_->pci_address = "0000:81:01.1";
  d.dedicated_io_thread = true;
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.devices.disks[1].disk.readonly: Forbidden: read-only is not supported for disks on the sata bus",
                    "spec.domain.devices.disks[1].disk.pciAddress: Forbidden: a PCI address can only be set on the virtio bus",
                    "spec.domain.devices.disks[1].dedicatedIOThread: Forbidden: dedicated I/O threads are only supported on the virtio bus"});

  vmi = valid_vmi();
  vmi.spec.domain.devices.disks[1].disk_->pci_address = "0000:81:01.1";
  vmi.spec.domain.devices.disks[1].dedicated_io_thread = true;
  CHECK(validate(vmi).empty());
  vmi.spec.domain.devices.disks[1].disk_->pci_address = "81:01.1";
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.devices.disks[1].disk.pciAddress: Invalid value: "81:01.1": must be a PCI address of the form dddd:bb:ss.f (e.g. '0000:81:01.1'))"});
}

TEST_CASE("PCI addresses", "[kube][api][validation]") {
  CHECK(detail::is_pci_address("0000:81:01.1"));
  CHECK(detail::is_pci_address("abcd:EF:0a.7"));
  for (const char* bad : {"", "0000:81:01.8", "000:81:01.1", "0000:81:01:1", "0000-81-01.1", "0000:81:0g.1"})
    CHECK_FALSE(detail::is_pci_address(bad));
}

TEST_CASE("custom block sizes", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  auto& bs = vmi.spec.domain.devices.disks[0].block_size_.emplace();
  bs.custom = custom_block_size{.logical = 512, .physical = 4096, .discard_granularity = {}, .unknown = {}};
  CHECK(validate(vmi).empty());

  bs.custom->logical = 8192;
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.devices.disks[0].blockSize.custom.logical: Invalid value: 8192: must be less than or equal to the physical block size of 4096"});
  bs.custom->logical = 256;
  bs.custom->physical = 3000;
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.devices.disks[0].blockSize.custom.logical: Invalid value: 256: must be between 512 and 2097152, inclusive",
                    "spec.domain.devices.disks[0].blockSize.custom.physical: Invalid value: 3000: must be a power of 2"});
  bs.custom->logical = 512;
  bs.custom->physical = 512;
  bs.match_volume.emplace();
  CHECK(messages_of(validate(vmi))
        == messages{"spec.domain.devices.disks[0].blockSize.matchVolume: Forbidden: may not be enabled together with a custom block size"});
  bs.match_volume->enabled = false;
  CHECK(validate(vmi).empty());
}

TEST_CASE("filesystems name volumes and use virtiofs", "[kube][api][validation]") {
  auto vmi = valid_vmi();
  auto& fs = vmi.spec.domain.devices.filesystems.emplace_back();
  fs.name = "shared";
  fs.virtiofs.emplace();
  auto& v = vmi.spec.volumes.emplace_back();
  v.name = "shared";
  v.config_map.emplace();
  v.config_map->name = "app-config";
  CHECK(validate(vmi).empty());

  fs.name = "nothing";
  fs.virtiofs.reset();
  CHECK(messages_of(validate(vmi))
        == messages{R"(spec.domain.devices.filesystems[0].name: Not found: "nothing")",
                    "spec.domain.devices.filesystems[0].virtiofs: Required value",
                    R"(spec.volumes[3].name: Invalid value: "shared": must be used by a disk or filesystem of the same name)"});
}
