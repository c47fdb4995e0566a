#include "virt/domain/domain_xml.hpp"

#include "virt/domain/xml_writer.hpp"

namespace podvisor::virt {
namespace {

std::string str(std::string_view s) {
  return std::string(s);
}

std::string num(std::uint64_t n) {
  return std::to_string(n);
}

void write_cpu(xml_writer& w, const domain_cpu& cpu) {
  std::vector<xml_attribute> attrs{{"mode", str(to_string(cpu.mode))}};
  if (cpu.mode == cpu_mode::custom)
    attrs.emplace_back("match", "exact");
  w.open("cpu", attrs);
  if (cpu.mode == cpu_mode::custom)
    w.text("model", cpu.model, {{"fallback", "forbid"}});
  w.empty("topology", {{"sockets", num(cpu.topology.sockets)},
                       {"dies", "1"},
                       {"cores", num(cpu.topology.cores)},
                       {"threads", num(cpu.topology.threads)}});
  for (const auto& f : cpu.features)
    w.empty("feature", {{"policy", f.policy}, {"name", f.name}});
  w.close();
}

void write_os(xml_writer& w, const domain_os& os) {
  w.open("os");
  w.text("type", "hvm", {{"arch", os.arch}, {"machine", os.machine}});
  if (os.loader) {
    w.text("loader", os.loader->path,
           {{"readonly", os.loader->readonly ? "yes" : "no"},
            {"secure", os.loader->secure ? "yes" : "no"},
            {"type", "pflash"}});
  }
  if (os.nvram) {
    if (os.nvram->path.empty())
      w.empty("nvram", {{"template", os.nvram->template_path}});
    else
      w.text("nvram", os.nvram->path, {{"template", os.nvram->template_path}});
  }
  if (!os.kernel.empty())
    w.text("kernel", os.kernel);
  if (!os.initrd.empty())
    w.text("initrd", os.initrd);
  if (!os.cmdline.empty())
    w.text("cmdline", os.cmdline);
  if (os.bios_useserial)
    w.empty("bios", {{"useserial", "yes"}});
  w.close();
}

void write_features(xml_writer& w, const domain_features& f) {
  if (!f.acpi && !f.apic && !f.smm && !f.pvspinlock && !f.kvm_hidden)
    return;
  w.open("features");
  if (f.acpi)
    w.empty("acpi");
  if (f.apic)
    w.empty("apic");
  if (f.pvspinlock)
    w.empty("pvspinlock", {{"state", "on"}});
  if (f.kvm_hidden) {
    w.open("kvm");
    w.empty("hidden", {{"state", "on"}});
    w.close();
  }
  if (f.smm)
    w.empty("smm", {{"state", "on"}});
  w.close();
}

void write_clock(xml_writer& w, const domain_clock& c) {
  std::vector<xml_attribute> attrs{{"offset", str(to_string(c.offset))}};
  if (c.offset == clock_offset::timezone)
    attrs.emplace_back("timezone", c.timezone);
  if (c.offset == clock_offset::variable) {
    attrs.emplace_back("adjustment", std::to_string(c.adjustment.value_or(0)));
    attrs.emplace_back("basis", "utc");
  }
  if (c.timers.empty()) {
    w.empty("clock", attrs);
    return;
  }
  w.open("clock", attrs);
  for (const auto& t : c.timers) {
    std::vector<xml_attribute> ta{{"name", t.name}};
    if (!t.tickpolicy.empty())
      ta.emplace_back("tickpolicy", t.tickpolicy);
    if (!t.track.empty())
      ta.emplace_back("track", t.track);
    if (t.present)
      ta.emplace_back("present", *t.present ? "yes" : "no");
    w.empty("timer", ta);
  }
  w.close();
}

void write_disk(xml_writer& w, const disk& d) {
  w.open("disk", {{"type", str(to_string(d.source_type))}, {"device", str(to_string(d.device))}});
  std::vector<xml_attribute> driver{{"name", "qemu"}, {"type", d.driver_type}};
  if (!d.cache.empty())
    driver.emplace_back("cache", d.cache);
  if (!d.error_policy.empty())
    driver.emplace_back("error_policy", d.error_policy);
  if (!d.io.empty())
    driver.emplace_back("io", d.io);
  w.empty("driver", driver);
  w.empty("source", {{d.source_type == disk_source_type::block ? "dev" : "file", d.source}});
  std::vector<xml_attribute> target{{"dev", d.target_dev}, {"bus", str(to_string(d.bus))}};
  if (!d.tray.empty())
    target.emplace_back("tray", d.tray);
  w.empty("target", target);
  if (d.readonly)
    w.empty("readonly");
  if (d.shareable)
    w.empty("shareable");
  if (!d.serial.empty())
    w.text("serial", d.serial);
  if (d.boot_order)
    w.empty("boot", {{"order", num(*d.boot_order)}});
  if (!d.alias.empty())
    w.empty("alias", {{"name", d.alias}});
  w.close();
}

void write_interface(xml_writer& w, const interface& i) {
  w.open("interface", {{"type", "ethernet"}});
  if (!i.mac.empty())
    w.empty("mac", {{"address", i.mac}});
  w.empty("target", {{"dev", i.tap}, {"managed", "no"}});
  w.empty("model", {{"type", i.model}});
  if (i.link_down)
    w.empty("link", {{"state", "down"}});
  if (i.boot_order)
    w.empty("boot", {{"order", num(*i.boot_order)}});
  if (i.acpi_index != 0)
    w.empty("acpi", {{"index", num(i.acpi_index)}});
  if (!i.alias.empty())
    w.empty("alias", {{"name", i.alias}});
  w.close();
}

void write_serial(xml_writer& w, const serial_console& s) {
  w.open("serial", {{"type", str(to_string(s.type))}});
  if (s.type == serial_type::file)
    w.empty("source", {{"path", s.path}, {"append", "on"}});
  if (s.type == serial_type::pty && !s.log_file.empty())
    w.empty("log", {{"file", s.log_file}, {"append", "on"}});
  w.empty("target", {{"port", "0"}});
  w.close();
  // The console element makes `virsh console` find the port; for a file it only mirrors it.
  w.open("console", {{"type", str(to_string(s.type))}});
  if (s.type == serial_type::file)
    w.empty("source", {{"path", s.path}, {"append", "on"}});
  w.empty("target", {{"type", "serial"}, {"port", "0"}});
  w.close();
}

void write_devices(xml_writer& w, const domain_devices& d) {
  w.open("devices");
  for (const auto& disk : d.disks)
    write_disk(w, disk);
  for (const auto& c : d.controllers) {
    std::vector<xml_attribute> attrs{{"type", str(to_string(c.type))}, {"index", num(c.index)}};
    if (!c.model.empty())
      attrs.emplace_back("model", c.model);
    w.empty("controller", attrs);
  }
  for (const auto& i : d.interfaces)
    write_interface(w, i);
  if (d.serial)
    write_serial(w, *d.serial);
  if (d.rng_) {
    w.open("rng", {{"model", "virtio"}});
    w.text("backend", d.rng_->backend, {{"model", "random"}});
    w.close();
  }
  w.empty("memballoon", {{"model", d.memballoon_model}});
  w.close();
}

} // namespace

std::string to_xml(const domain& d) {
  xml_writer w;
  w.open("domain", {{"type", str(to_string(d.type))}});
  w.text("name", d.name);
  if (!d.uuid.empty())
    w.text("uuid", d.uuid);
  w.text("memory", num(d.memory_kib), {{"unit", "KiB"}});
  w.text("vcpu", num(d.vcpus()), {{"placement", "static"}});
  write_cpu(w, d.cpu);
  write_os(w, d.os);
  write_features(w, d.features);
  write_clock(w, d.clock);
  w.text("on_poweroff", to_string(d.on_poweroff));
  w.text("on_reboot", to_string(d.on_reboot));
  w.text("on_crash", to_string(d.on_crash));
  write_devices(w, d.devices);
  w.close();
  return w.str();
}

} // namespace podvisor::virt
