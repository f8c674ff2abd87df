export { LoginPage, safeNext } from './LoginPage';
export { SignupPage } from './SignupPage';
export { ProfilePage } from './ProfilePage';
export { useLogout } from './logout';
