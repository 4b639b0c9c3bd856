import { add, alias, feature, mixin } from 'mkimage';

const acpi = mixin('use/power/acpi', { description: 'ACPI events: the power button shuts down cleanly' }, add('BASE_PACKAGES', 'acpid', 'acpi-support-base'));

export default feature({
  description: 'power management',
  mixins: [acpi, alias('+power', [acpi], 'everything about power')],
});
