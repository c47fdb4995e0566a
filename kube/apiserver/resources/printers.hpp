#pragma once
// Table printers per kind: the columns `kubectl get` shows and how to fill them. Core
// kinds follow kubernetes/pkg/printers/internalversion (cells computed in code, always
// the wide set since the server cannot know whether -o wide was asked); kubevirt.io kinds
// and CRDs follow the apiextensions table convertor (a Name cell, then one cell per
// additionalPrinterColumn filled from its JSONPath).

#include <vector>

#include "kube/apiserver/resources/registry.hpp"

namespace podvisor::kube::apiserver {

/// Pods: Name, Ready, Status, Restarts, Age; wide: IP, Node, Nominated Node, Readiness Gates.
table_printer pod_printer();
/// Nodes: Name, Status, Roles, Age, Version; wide: Internal-IP, External-IP, OS-Image,
/// Kernel-Version, Container-Runtime.
table_printer node_printer();
/// Namespaces: Name, Status, Age.
table_printer namespace_printer();
/// Events: Last Seen, Type, Reason, Object, Message; wide: Subobject, Source, First Seen,
/// Count, Name.
table_printer event_printer();
/// ConfigMaps: Name, Data, Age.
table_printer config_map_printer();
/// Secrets: Name, Type, Data, Age.
table_printer secret_printer();
/// PersistentVolumeClaims: Name, Status, Volume, Capacity, Access Modes, StorageClass,
/// VolumeAttributesClass, Age; wide: VolumeMode.
table_printer pvc_printer();
/// Leases: Name, Holder, Age.
table_printer lease_printer();
/// CustomResourceDefinitions: Name, Created At (the default table convertor's columns).
table_printer crd_printer();
/// Kinds without their own printer: Name, Age.
table_printer default_printer();

/// VirtualMachineInstances: Age, Phase, IP, NodeName, Ready; wide: Live-Migratable.
table_printer vmi_printer();
/// VirtualMachines: Age, Status, Ready.
table_printer vm_printer();
/// VirtualMachineInstanceMigrations: Phase, VMI.
table_printer vmim_printer();
/// A CRD-style printer: the Name column, then the additionalPrinterColumns given, or with
/// none given the CRD default, one Age column on .metadata.creationTimestamp.
table_printer custom_printer(std::vector<printer_column> additional_columns);

/// The Name column (type string, format name, path .metadata.name).
printer_column name_column();

} // namespace podvisor::kube::apiserver
