package ai.lepton.api;

import java.util.List;

/** An organization's departments, by name. */
public record DepartmentList(List<Department> items) {}
