declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<{ signaling: string; room: string }>;
  export default component;
}
