import { profiles } from 'mkimage';

export default profiles();
